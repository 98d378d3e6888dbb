"""Which files an asset may carry: PDFs, images and videos, told by their first bytes, never by their name."""

from __future__ import annotations

from dataclasses import dataclass

# The largest file an asset may carry. Streamlit's own upload limit (.streamlit/config.toml) is larger, for
# imports; a video testimonial longer than a few minutes belongs on a video host, linked.
MAX_FILE_BYTES = 50 * 2**20


@dataclass(frozen=True)
class FileKind:
    mime: str
    extension: str
    # The names an uploader may give a file of this kind: one that claims another kind is refused.
    extensions: tuple[str, ...]


PDF = FileKind("application/pdf", ".pdf", (".pdf",))
PNG = FileKind("image/png", ".png", (".png",))
JPEG = FileKind("image/jpeg", ".jpg", (".jpg", ".jpeg"))
GIF = FileKind("image/gif", ".gif", (".gif",))
WEBP = FileKind("image/webp", ".webp", (".webp",))
MP4 = FileKind("video/mp4", ".mp4", (".mp4", ".m4v", ".mov"))
WEBM = FileKind("video/webm", ".webm", (".webm",))
KINDS = (PDF, PNG, JPEG, GIF, WEBP, MP4, WEBM)
ALLOWED = "a PDF, an image (PNG, JPEG, GIF, WebP) or a video (MP4, WebM)"


def sniff(data: bytes) -> FileKind | None:
    """The kind of file data is by its magic bytes, None when it is none of KINDS."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    # ISO base media (MP4, QuickTime): a box size, then the file-type box.
    if data[4:8] == b"ftyp":
        return MP4
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM
    return None


def check(name: str, data: bytes) -> FileKind:
    """The kind of an uploaded file; ValueError naming the problem when it is empty, larger than
    MAX_FILE_BYTES, not one of KINDS by its bytes, or named as another kind than its bytes are."""
    if not data:
        raise ValueError("The file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(
            f"The file has {len(data) / 2**20:,.1f} MB; an asset's file may have at most "
            f"{MAX_FILE_BYTES // 2**20} MB."
        )
    kind = sniff(data)
    if kind is None:
        raise ValueError(f"The file is not {ALLOWED}.")
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix not in kind.extensions:
        raise ValueError(f"The file's content is {kind.mime}, but its name ends in '{suffix or 'nothing'}'.")
    return kind
