"""A real TAK client for the CoT-out test: pytak connects over TCP and reads events up to
each `</event>` as its RXWorker does; takproto converts each to a TAK protocol v1 message
(its own XML parser), and we print what that message says, one JSON object per line.

Usage: python cot_client.py PORT N_EVENTS
"""

import asyncio
import json
import sys
import warnings

# pytak warns that its optional TLS and HTTP extras are absent; plain TCP needs neither.
warnings.filterwarnings("ignore", category=UserWarning)

import pytak  # noqa: E402
from takproto.functions import xml2message  # noqa: E402


class Collect(pytak.RXWorker):
    async def handle_data(self, data):
        pass


async def main(port, n_events):
    config = {"COT_URL": f"tcp://127.0.0.1:{port}"}
    reader, _writer = await pytak.protocol_factory(config)
    worker = Collect(asyncio.Queue(), config, reader)
    for _ in range(n_events):
        xml = await asyncio.wait_for(worker.readcot(), timeout=20)
        if xml is None:
            break
        msg = xml2message(xml.strip())
        e = msg.cotEvent
        print(json.dumps({
            "uid": e.uid, "type": e.type, "how": e.how,
            "lat": e.lat, "lon": e.lon, "hae": e.hae, "ce": e.ce,
            "send_ms": e.sendTime, "stale_ms": e.staleTime,
            "callsign": e.detail.contact.callsign,
            "course": e.detail.track.course, "speed": e.detail.track.speed,
        }), flush=True)


asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
