"""One server under test, in its own process (its own interpreter lock, as in production).

``python -m bench.serve tandem --db FILE --api-url URL --procurement U1,U2 --admins U3``
    Tandem exactly as ``tandem run`` builds it in HTTP mode: ``build_slack`` and
    ``make_server`` (waitress, 8 threads), logging one INFO line per request to stderr.
``python -m bench.serve bolt --api-url URL``
    The floor: a bare Bolt app on the same adapter (Bolt's WSGI ``SlackRequestHandler``
    behind waitress with the same thread count, a same-sized listener pool, the same
    Web API client), whose listeners only ack.

Both print ``READY <port>`` on stdout once they listen on a free loopback port, and stop
on SIGTERM.
"""

from __future__ import annotations

import argparse
import gc
import logging
import signal
import sys
from concurrent.futures import ThreadPoolExecutor

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
CHANNEL = "C0SHARED"
THREADS = 8


def tandem(args):
    from bot.config import Settings
    from handlers.slack.app import build_slack
    from handlers.slack.server import make_server

    settings = Settings.from_env({
        "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": args.api_url,
        "TANDEM_CHANNEL": CHANNEL, "TANDEM_PROCUREMENT": args.procurement, "TANDEM_ADMINS": args.admins,
        "TANDEM_DB": args.db,
    })
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s",
                        stream=sys.stderr)
    bot = build_slack(settings)
    server = make_server(bot.app, bot.core, host="127.0.0.1", port=0, threads=THREADS)
    gc.freeze()  # as ``tandem run`` does once everything is built
    return server, bot.close


def bare_bolt(args):
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from waitress.server import create_server

    from bot.config import Settings
    from handlers.slack.app import web_client
    from handlers.slack.ids import Actions

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    executor = ThreadPoolExecutor(max_workers=THREADS)
    client = web_client(Settings(slack_bot_token=TOKEN, slack_api_url=args.api_url))
    app = App(client=client, signing_secret=SECRET, listener_executor=executor, process_before_response=False)

    @app.command("/procure")
    def procure(ack):
        ack()

    @app.action(Actions.CLAIM)
    @app.action(Actions.UNCLAIM)
    def button(ack):
        ack()

    server = create_server(SlackRequestHandler(app, path="/slack/events"), host="127.0.0.1", port=0,
                           threads=THREADS, ident="bolt")
    return server, lambda: executor.shutdown(wait=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serve")
    parser.add_argument("kind", choices=("tandem", "bolt"))
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--db")
    parser.add_argument("--procurement", default="")
    parser.add_argument("--admins", default="")
    args = parser.parse_args(argv)
    server, close = (tandem if args.kind == "tandem" else bare_bolt)(args)

    def stop(*_):
        server.close()
        server.task_dispatcher.shutdown()

    signal.signal(signal.SIGTERM, stop)
    print(f"READY {server.effective_port}", flush=True)
    try:
        server.run()
    except OSError:  # the listening socket was closed by ``stop``
        pass
    finally:
        close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
