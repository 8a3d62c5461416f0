"""JSON-lines protocol.

Every message is one JSON object on one line.
- Worker -> client, once at start: {"event": "ready", "torch": ..., "python": ..., "device": ...}
  or {"event": "fatal", "code": "no-torch", "message": ...} followed by exit code 3.
- Client -> worker: {"id": N, "method": "run_trial" | "ping" | "shutdown", "params": {...}}
- Worker -> client: {"id": N, "ok": true, "result": {...}} or
  {"id": N, "ok": false, "error": {"code": ..., "message": ...}}
A request that fails does not end the worker; only "shutdown" or end of stdin does.
"""
import json
import os
import platform
import sys
import traceback


def _emit(out, obj):
    # One write per message, flushed: the client reads line by line and must never see half a line.
    out.write(json.dumps(obj, separators=(",", ":")) + "\n")
    out.flush()


def serve(inp, out):
    try:
        import torch  # noqa: F401  (imported once here, reused by every trial)
    except Exception as exc:  # ImportError, or a broken install raising anything else
        _emit(out, {"event": "fatal", "code": "no-torch", "message": f"{type(exc).__name__}: {exc}"})
        return 3

    from . import bench, recipe, study

    _emit(out, {
        "event": "ready",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "executable": sys.executable,
        "device": "cpu",
        "threads": torch.get_num_threads(),
    })

    print(f"ftprobe_worker: torch {torch.__version__} ready (pid {os.getpid()})", file=sys.stderr, flush=True)
    for line in inp:
        line = line.strip()
        if not line:
            continue
        try:
            msg = json.loads(line)
        except json.JSONDecodeError as exc:
            print(f"ftprobe_worker: dropped a line that is not JSON: {exc}", file=sys.stderr)
            continue
        req_id = msg.get("id")
        method = msg.get("method")
        if method == "shutdown":
            _emit(out, {"id": req_id, "ok": True, "result": {}})
            return 0
        try:
            if method == "ping":
                result = {}
            elif method == "study_run":
                result = study.run(msg.get("params") or {})
            elif method == "time_steps":
                result = bench.time_steps(msg.get("params") or {})
            elif method == "bench_overhead":
                result = bench.run(msg.get("params") or {})
            elif method == "run_trial":
                print(f"ftprobe_worker: request {req_id}: trial {(msg.get('params') or {}).get('id')}", file=sys.stderr, flush=True)
                result = recipe.run_trial(msg.get("params") or {})
            else:
                raise recipe.RecipeError("unknown-method", f"unknown method {method!r}")
            _emit(out, {"id": req_id, "ok": True, "result": result})
        except recipe.RecipeError as exc:
            _emit(out, {"id": req_id, "ok": False, "error": {"code": exc.code, "message": str(exc)}})
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            _emit(out, {"id": req_id, "ok": False,
                        "error": {"code": "framework-error", "message": f"{type(exc).__name__}: {exc}"}})
    return 0
