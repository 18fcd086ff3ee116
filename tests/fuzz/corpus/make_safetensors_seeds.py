#!/usr/bin/env python3
"""Small safetensors seeds for the fuzzers, shrunk from real files: each keeps a real file's
tensor names, dtypes, rank and metadata, with every dimension cut to at most 2 and zero data, and
the header padded to 8 bytes with spaces as the reference writer does.
  python3 make_safetensors_seeds.py OUT_DIR REAL_FILE..."""
import json
import struct
import sys
from pathlib import Path

SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}

out_dir = Path(sys.argv[1])
for real in sys.argv[2:]:
    raw = Path(real).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    small, offset = {}, 0
    for name in sorted(header):
        entry = header[name]
        if name == "__metadata__":
            small[name] = entry
            continue
        shape = [min(d, 2) for d in entry["shape"]]
        count = 1
        for d in shape:
            count *= d
        size = count * SIZES[entry["dtype"]]
        small[name] = {"dtype": entry["dtype"], "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(small, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    seed = out_dir / (Path(real).parent.name + "-" + Path(real).name)
    seed.write_bytes(struct.pack("<Q", len(text)) + text + bytes(offset))
    print(seed, seed.stat().st_size)
