#!/usr/bin/env python3
"""Async parallel downloader (seed 000), Python 3 stdlib only.

Downloads file-0..file-(N-1) from <url>/file/<i> and flaky-0..flaky-(K-1) from <url>/flaky/<i>
(always HTTP 500, retried after a 5 s sleep) in parallel with asyncio streams, writing
<name>.part and renaming it to <name> when complete.

Variants (--variant):
  correct                  SIGINT/SIGTERM cancels every task at once (even mid retry sleep),
                           removes *.part, keeps completed files, prints Goodbye, exits 0;
                           a second signal forces exit at once (130 for SIGINT, 143 for SIGTERM).
  broken-leaves-partials   as correct, but the *.part files stay behind.
  broken-waits-retry       cooperative checks only (like the seed's first attempt): downloads stop
                           at the next chunk, but a task in its retry sleep finishes the 5 s sleep.
  broken-ignores-second    a second Ctrl+C is ignored; the slow disconnect runs to the end.
"""
import argparse
import asyncio
import os
import signal
import sys
from urllib.parse import urlsplit

RETRY_SLEEP_S = 5.0
VARIANTS = ("correct", "broken-leaves-partials", "broken-waits-retry", "broken-ignores-second")


class HttpError(Exception):
    pass


def log(message):
    print(message, flush=True)


async def http_get_to_file(host, port, path, part_path, shutdown, cooperative):
    """GET path over HTTP/1.0 with asyncio streams into part_path; returns the byte count."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(f"GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode("ascii"))
        await writer.drain()
        status_line = await reader.readline()
        parts = status_line.decode("latin-1").split()
        if len(parts) < 2:
            raise HttpError(f"bad status line {status_line!r}")
        status = int(parts[1])
        length = None
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        if status != 200:
            raise HttpError(f"HTTP {status}")
        received = 0
        with open(part_path, "wb") as out:
            while length is None or received < length:
                if cooperative and shutdown.is_set():
                    raise asyncio.CancelledError()
                chunk = await reader.read(65536)
                if not chunk:
                    break
                out.write(chunk)
                received += len(chunk)
        if length is not None and received != length:
            raise HttpError(f"short body: {received} of {length} bytes")
        return received
    finally:
        writer.close()


async def download(name, path, args, shutdown):
    host, port = args.host, args.port
    final_path = os.path.join(args.out, name)
    part_path = final_path + ".part"
    cooperative = args.variant == "broken-waits-retry"
    attempt = 0
    while True:
        attempt += 1
        completed = False
        try:
            size = await http_get_to_file(host, port, path, part_path, shutdown, cooperative)
            os.replace(part_path, final_path)
            completed = True
            log(f"saved {name} ({size} bytes)")
            return
        except HttpError as err:
            log(f"{name}: {err}, retrying in {RETRY_SLEEP_S:g}s (attempt {attempt})")
        finally:
            if not completed and args.variant != "broken-leaves-partials":
                try:
                    os.remove(part_path)
                except FileNotFoundError:
                    pass
        if cooperative:
            # The seed's first attempt: check the flag before the retry sleep, not during it.
            if shutdown.is_set():
                raise asyncio.CancelledError()
            await asyncio.sleep(RETRY_SLEEP_S)
            if shutdown.is_set():
                raise asyncio.CancelledError()
        else:
            await asyncio.sleep(RETRY_SLEEP_S)


async def main(args):
    loop = asyncio.get_running_loop()
    shutdown = asyncio.Event()
    signals_seen = []

    def on_signal(sig):
        signals_seen.append(sig)
        if len(signals_seen) == 1:
            log(f"Shutdown signal received ({sig.name}). Cancelling downloads...")
            shutdown.set()
        elif args.variant == "broken-ignores-second":
            log(f"{sig.name} again: still shutting down, please wait")
        else:
            log(f"{sig.name} again: forced exit")
            os._exit(128 + sig.value)

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal, sig)

    os.makedirs(args.out, exist_ok=True)
    tasks = [asyncio.create_task(download(f"file-{i}", f"/file/{i}", args, shutdown)) for i in range(args.files)]
    tasks += [asyncio.create_task(download(f"flaky-{i}", f"/flaky/{i}", args, shutdown)) for i in range(args.flaky)]
    log(f"ready: downloading {args.files} files (+{args.flaky} flaky) into {args.out}")

    all_done = asyncio.gather(*tasks, return_exceptions=True)
    stop = asyncio.create_task(shutdown.wait())
    await asyncio.wait([all_done, stop], return_when=asyncio.FIRST_COMPLETED)

    if shutdown.is_set():
        if args.variant != "broken-waits-retry":
            for task in tasks:
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        saved = sum(1 for t in tasks if not t.cancelled() and t.exception() is None)
        log(f"Cancelled by user ({saved} of {len(tasks)} downloads complete)")
        log("Cleaning up and closing connections...")
        # The client's disconnect (Pyrogram's client.stop() in the seed); --stop-delay-ms makes it slow.
        await asyncio.sleep(args.stop_delay_ms / 1000)
    else:
        stop.cancel()
        log("all downloads complete")
    log("Goodbye!")
    return 0


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="file server base URL, http://127.0.0.1:PORT")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--flaky", type=int, default=1, help="files that always fail (retried every 5 s)")
    parser.add_argument("--stop-delay-ms", type=int, default=0, help="how long the final disconnect takes")
    parser.add_argument("--variant", default="correct", choices=VARIANTS)
    args = parser.parse_args(argv)
    url = urlsplit(args.url)
    if url.scheme != "http" or not url.hostname or not url.port:
        parser.error(f"--url must look like http://127.0.0.1:PORT, got {args.url!r}")
    args.host, args.port = url.hostname, url.port
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args(sys.argv[1:]))))
