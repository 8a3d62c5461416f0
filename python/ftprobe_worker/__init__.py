"""ftprobe's PyTorch worker: runs fine-tuning recipes on real torch and reports raw tensors.

The TypeScript side (src/backends/torch/) spawns `python -m ftprobe_worker` once per run and
speaks JSON lines over stdio. This package never classifies or judges anything: it executes the
recipe with torch's own calls and returns the bytes of every tensor, so that every verdict is
computed from what torch actually did.
"""
