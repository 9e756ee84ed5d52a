"""The one boundary between an uploaded file and the app: bytes in, a frame of text columns or a clear refusal out.

Parsing runs in a child process (multiprocessing forkserver, the readers imported once) under an address-space,
CPU-time and file-size limit, after upload_checks has bounded the work the file asks for. A reader that aborts
(the Rust workbook reader does, on a failed allocation), runs away or raises anything at all ends that child
only; the page says the file could not be read and the server keeps serving everyone else. The frame comes back
as Arrow IPC (never pickle), bounded in size.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import multiprocessing
import multiprocessing.forkserver
import resource
import sys
import threading
import traceback
import types
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection

import pyarrow as pa
import pyarrow.ipc

from insight.uploads.checks import UploadError
from insight.uploads.readers import Upload, parse_upload, upload_limit_mb

LOG = logging.getLogger(__name__)

CHILD_ADDRESS_SPACE = 6 << 30  # virtual memory for one parse (readers reserve more than they touch)
CHILD_CPU_SECONDS = 120
WALL_SECONDS = 180.0
MAX_RESULT_BYTES = 2 << 30  # the parsed frame as Arrow, sent back to the app
# At most this many files are parsed at once; later uploads wait for a free slot.
PARSERS = threading.BoundedSemaphore(2)
UNREADABLE = "The file could not be read"
MAIN_SWAP = threading.Lock()


def read_upload(data: bytes, *, name: str, sheet: str | None = None, limit_mb: int | None = None) -> Upload:
    """readers.parse_upload (same arguments, same Upload) run in a limited child process.

    Raises:
        UploadError: the file is too large, empty, unsafe, unreadable, or its parse failed or exceeded a
            limit; any other failure is logged here and reported as UploadError naming what went wrong.
    """
    limit = upload_limit_mb() if limit_mb is None else limit_mb
    if len(data) > limit * 1024 * 1024:
        raise UploadError(f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is {limit} MB.")
    try:
        with PARSERS:
            reply = run_child(data, name=name, sheet=sheet, limit_mb=limit)
        return decode_reply(reply)
    except UploadError:
        raise
    except Exception as error:
        LOG.exception("Upload %r: unexpected failure in the upload boundary", name[:100])
        raise UploadError(f"{UNREADABLE} ({type(error).__name__}). The error has been logged.") from error


def run_child(
    data: bytes, *, name: str, sheet: str | None, limit_mb: int, target: Callable[..., None] | None = None
) -> bytes:
    """Parse in a child process; its reply bytes (see child_main), or UploadError when it died or ran too long.

    target replaces child_main (tests use it to show what happens when a reader aborts).
    """
    receiver, sender = CONTEXT.Pipe(duplex=False)
    child = CONTEXT.Process(target=target or child_main, args=(sender, data, name, sheet, limit_mb), daemon=True)
    with bare_main():
        child.start()
    sender.close()
    try:
        if not receiver.poll(WALL_SECONDS):
            raise UploadError(f"{UNREADABLE}: reading it took longer than {WALL_SECONDS:.0f} seconds.")
        return receiver.recv_bytes(MAX_RESULT_BYTES)
    except EOFError as error:  # the child died without replying: killed at a limit, or aborted
        child.join(5)
        LOG.error("Upload %r: the parsing process ended with exit code %s", name[:100], child.exitcode)
        raise UploadError(died_message(child.exitcode)) from error
    except OSError as error:  # the reply is longer than MAX_RESULT_BYTES
        raise UploadError(f"{UNREADABLE}: its contents are larger than {MAX_RESULT_BYTES >> 30} GB.") from error
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)


def died_message(exitcode: int | None) -> str:
    """Why the parse ended without an answer, for the user."""
    if exitcode in (-9, -24):  # SIGKILL / SIGXCPU: the CPU-time limit
        return f"{UNREADABLE}: reading it needed more than {CHILD_CPU_SECONDS} seconds of processing."
    return (
        f"{UNREADABLE}: the reader stopped while parsing it (it asked for more memory than the "
        f"{CHILD_ADDRESS_SPACE >> 30} GB allowed, or the file is damaged). Check the file, or export it as CSV."
    )


def decode_reply(reply: bytes) -> Upload:
    """The child's reply: a JSON header line, then the frame as an Arrow IPC stream (or just a refusal)."""
    header, _, body = reply.partition(b"\n")
    meta = json.loads(header)
    if "refused" in meta:
        raise UploadError(meta["refused"], sheets=tuple(meta.get("sheets", ())))
    frame = pyarrow.ipc.open_stream(body).read_all().to_pandas()
    return Upload(
        frame=frame, kind=meta["kind"], sheets=tuple(meta["sheets"]), sheet=meta["sheet"], notes=tuple(meta["notes"])
    )


def limit_child() -> None:
    """The child's ceilings: address space, CPU seconds, no file writes."""
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_ADDRESS_SPACE, CHILD_ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_CPU, (CHILD_CPU_SECONDS, CHILD_CPU_SECONDS + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def child_main(sender: Connection, data: bytes, name: str, sheet: str | None, limit_mb: int) -> None:
    """Child side: limit this process, parse, send the reply. Nothing it raises reaches the app."""
    limit_child()
    try:
        sender.send_bytes(encode_reply(parse_upload(data, name=name, sheet=sheet, limit_mb=limit_mb)))
    except UploadError as refused:
        sender.send_bytes(json.dumps({"refused": str(refused), "sheets": list(refused.sheets)}).encode())
    except (MemoryError, pa.ArrowMemoryError):
        sender.send_bytes(json.dumps({"refused": f"{UNREADABLE}: it needs more memory than uploads may use."}).encode())
    except Exception as error:  # the child's boundary: name the failure, leave the detail in the server log
        traceback.print_exc()
        message = f"{UNREADABLE}: {type(error).__name__} while parsing it."
        sender.send_bytes(json.dumps({"refused": message}).encode())
    finally:
        sender.close()


def encode_reply(upload: Upload) -> bytes:
    """JSON header line (kind, sheets, sheet, notes), then the frame as an Arrow IPC stream."""
    table = pa.Table.from_pandas(upload.frame, preserve_index=False)
    buffer = io.BytesIO()
    meta = {"kind": upload.kind, "sheets": list(upload.sheets), "sheet": upload.sheet, "notes": list(upload.notes)}
    buffer.write(json.dumps(meta).encode() + b"\n")
    with pyarrow.ipc.new_stream(buffer, table.schema) as writer:
        writer.write_table(table)
    return buffer.getvalue()


def warm_up() -> None:
    """Start the forkserver (it imports the readers, a few seconds) so the first upload does not wait for it."""
    with bare_main():
        multiprocessing.forkserver.ensure_running()


@contextlib.contextmanager
def bare_main() -> Iterator[None]:
    """Hide the main module while a process starts, so neither the forkserver nor a child re-runs it.

    multiprocessing re-imports `__main__` in every child; inside Streamlit that is the page script being run.
    """
    with MAIN_SWAP:
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            sys.modules["__main__"] = main


def _context() -> multiprocessing.context.ForkServerContext:
    """Forkserver with the readers preloaded: each parse forks a small, clean process in milliseconds.

    The server is started from the project folder (scripts/run.sh), which is how the forkserver finds `insight`.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["insight.uploads.sandbox"])
    return context


CONTEXT = _context()
