# Tandem in a container: small, non-root, the database on a volume, healthy when /healthz says so.
#   docker build -t tandem .
#   docker run --env-file .env -p 3000:3000 -v tandem-data:/data tandem
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TANDEM_DB=/data/tandem.db \
    PORT=3000

WORKDIR /app
COPY pyproject.toml README.md manifest.yml ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install '.[teams]' \
 && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin tandem \
 && mkdir -p /data && chown tandem:tandem /data

USER tandem
VOLUME ["/data"]
# 3000: Slack in HTTP mode (/slack/events, /healthz); 3978: Teams (/api/messages).
EXPOSE 3000 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3000') + '/healthz', timeout=4).status != 200)"]
# SIGTERM (docker stop) lets in-flight requests finish and releases the schedule's lease.
STOPSIGNAL SIGTERM
CMD ["tandem", "run"]
