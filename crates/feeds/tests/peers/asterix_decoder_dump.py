"""Decodes ASTERIX datagrams with asterix_decoder (CroatiaControl, GPL) and
prints one JSON object per record with the fields our decoder reports, in the
wire's own units (NM, degrees, FL, ft, seconds), so the Rust test compares
values without sharing any code with the decoder under test.

Input (stdin): one datagram per line, as hex. Output (stdout): one JSON line
per record: {"datagram": i, "cat": n, "fields": {...}}.
"""
import json
import sys

import asterix


def val(record, item, field):
    entry = record.get(item)
    if not isinstance(entry, dict):
        return None
    got = entry.get(field)
    if isinstance(got, dict):
        return got.get("val")
    return got


def sub(record, item, subfield, field):
    entry = record.get(item)
    if not isinstance(entry, dict):
        return None
    part = entry.get(subfield)
    if not isinstance(part, dict):
        return None
    got = part.get(field)
    return got.get("val") if isinstance(got, dict) else got


def hex_int(text):
    return None if text is None else int(str(text), 16)


def octal(text):
    return None if text is None else int(str(text), 8)


def cat048(r):
    return {
        "sac": val(r, "I010", "SAC"),
        "sic": val(r, "I010", "SIC"),
        "tod_s": val(r, "I140", "ToD"),
        "typ": val(r, "I020", "TYP"),
        "rho_nm": val(r, "I040", "RHO"),
        "theta_deg": val(r, "I040", "THETA"),
        "mode3a": octal(val(r, "I070", "Mode3A")),
        "fl": val(r, "I090", "FL"),
        "address": hex_int(val(r, "I220", "ACAddr")),
        "callsign": val(r, "I240", "TId"),
        "track": val(r, "I161", "Tn"),
        "x_nm": val(r, "I042", "X"),
        "y_nm": val(r, "I042", "Y"),
        "gs_kt": val(r, "I200", "CGS"),
        "heading_deg": val(r, "I200", "CHdg"),
        "height_ft": val(r, "I110", "3D_Height"),
    }


def cat062(r):
    return {
        "sac": val(r, "I010", "SAC"),
        "sic": val(r, "I010", "SIC"),
        "tod_s": val(r, "I070", "ToT"),
        "lat_deg": val(r, "I105", "Lat"),
        "lon_deg": val(r, "I105", "Lon"),
        "vx_mps": val(r, "I185", "Vx"),
        "vy_mps": val(r, "I185", "Vy"),
        "mode3a": octal(val(r, "I060", "Mode3A")),
        "address": hex_int(sub(r, "I380", "ADR", "ADR")),
        "acid": sub(r, "I380", "ID", "ACID"),
        "track": val(r, "I040", "TrkN"),
        "fl_ft": val(r, "I136", "MFL"),
        "alt_ft": val(r, "I130", "Alt"),
        "roc_ft_min": val(r, "I220", "RoC"),
        "apc_x_m": sub(r, "I500", "APC", "APC_X"),
        "apc_y_m": sub(r, "I500", "APC", "APC_Y"),
    }


def cat021(r):
    return {
        "sac": val(r, "I010", "SAC"),
        "sic": val(r, "I010", "SIC"),
        "track": val(r, "I161", "TrackN"),
        "tod_071_s": val(r, "I071", "time_applicability_position"),
        "lat_deg": val(r, "I130", "Lat"),
        "lon_deg": val(r, "I130", "Lon"),
        "lat_hr_deg": val(r, "I131", "Lat"),
        "lon_hr_deg": val(r, "I131", "Lon"),
        "address": hex_int(val(r, "I080", "TAddr")),
        "tod_073_s": val(r, "I073", "time_reception_position"),
        "height_ft": val(r, "I140", "geometric_height"),
        "nucp_nic": val(r, "I090", "NUCp_or_NIC"),
        "nacp": val(r, "I090", "NACp"),
        "mops": val(r, "I210", "VN"),
        "mode3a": octal(val(r, "I070", "Mode3A")),
        "fl": val(r, "I145", "FL"),
        "gs_nm_s": val(r, "I160", "GS"),
        "ta_deg": val(r, "I160", "TA"),
        "callsign": val(r, "I170", "TId"),
        "ecat": val(r, "I020", "ECAT"),
    }


DUMP = {48: cat048, 62: cat062, 21: cat021}


def main():
    for idx, line in enumerate(sys.stdin):
        line = line.strip()
        if not line:
            continue
        for record in asterix.parse(bytes.fromhex(line)):
            dump = DUMP.get(record.get("category"))
            if dump is None:
                continue
            fields = dump(record)
            out = {"datagram": idx, "cat": record["category"], "fields": fields}
            if "--items" in sys.argv:
                out["items"] = sorted(k for k in record if k.startswith("I"))
            print(json.dumps(out))


if __name__ == "__main__":
    main()
