"""Airborne positions of a Beast binary capture, decoded by pyModeS (v3): one
JSON line per DF17/18 airborne-position frame with a valid CRC:
{"icao": "4CA2D6", "lat": .., "lon": .., "alt_ft": ..}.

Used by crates/feeds/tests/it/sbs.rs as the independent reading of the frames
that dump1090 turns into SBS. Beast framing (0x1a, type, 6-byte timestamp,
signal, payload; 0x1a doubled inside) is unescaped here; each position is
decoded on its own against a reference point (pyModeS' single-message CPR
decoding, valid within 180 NM of the reference).

usage: python beast_positions_pymodes.py CAPTURE.beast REF_LAT REF_LON
"""

import json
import sys

import pyModeS

PAYLOAD = {0x31: 2, 0x32: 7, 0x33: 14}


def frames(data):
    """Payloads of the Beast frames in `data`, unescaped."""
    pos, n = 0, len(data)
    while pos < n:
        if data[pos] != 0x1A or pos + 1 >= n or data[pos + 1] not in PAYLOAD:
            pos += 1
            continue
        want = 6 + 1 + PAYLOAD[data[pos + 1]]
        body, pos = bytearray(), pos + 2
        while len(body) < want and pos < n:
            byte = data[pos]
            if byte == 0x1A:
                if pos + 1 < n and data[pos + 1] == 0x1A:
                    pos += 1
                else:
                    break  # a new frame starts: this one was truncated
            body.append(byte)
            pos += 1
        if len(body) == want:
            yield bytes(body[7:])


def main():
    path, ref = sys.argv[1], (float(sys.argv[2]), float(sys.argv[3]))
    with open(path, "rb") as f:
        data = f.read()
    for payload in frames(data):
        if len(payload) != 14:
            continue
        msg = payload.hex().upper()
        d = pyModeS.decode(msg, reference=ref)
        if d.get("df") not in (17, 18) or not d.get("crc_valid"):
            continue
        if d.get("bds") != "0,5" or d.get("latitude") is None:
            continue
        print(json.dumps({
            "icao": d["icao"].upper(),
            "lat": d["latitude"],
            "lon": d["longitude"],
            "alt_ft": d.get("altitude"),
        }))


if __name__ == "__main__":
    main()
