import pytest

from core import asset_files


@pytest.mark.parametrize(
    "name, data, mime",
    [
        ("a.pdf", b"%PDF-1.7\n", "application/pdf"),
        ("a.PNG", b"\x89PNG\r\n\x1a\n\x00", "image/png"),
        ("a.jpeg", b"\xff\xd8\xff\xe0", "image/jpeg"),
        ("a.gif", b"GIF89a\x01", "image/gif"),
        ("a.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        ("a.mp4", b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
        ("a.mov", b"\x00\x00\x00\x14ftypqt  ", "video/mp4"),
        ("a.webm", b"\x1a\x45\xdf\xa3\x01", "video/webm"),
    ],
)
def test_kinds_by_their_bytes(name, data, mime):
    assert asset_files.check(name, data).mime == mime


@pytest.mark.parametrize(
    "name, data, problem",
    [
        ("a.pdf", b"\x89PNG\r\n\x1a\n", "content is image/png, but its name ends in '.pdf'"),
        ("a", b"%PDF-1.7", "ends in 'nothing'"),
        ("a.exe", b"MZ\x90\x00", "not a PDF"),
        ("a.html", b"<html><script>", "not a PDF"),
        ("a.pdf", b"", "empty"),
        # 50 MiB and one byte: 50.0 MB shown, at most 50.
        ("a.pdf", b"%PDF-" + b"0" * (50 * 2**20 - 4), "has 50.0 MB; an asset's file may have at most 50 MB"),
    ],
)
def test_refused(name, data, problem):
    with pytest.raises(ValueError, match=problem):
        asset_files.check(name, data)


def test_the_limit_itself_passes():
    assert asset_files.check("a.pdf", b"%PDF-" + b"0" * (asset_files.MAX_FILE_BYTES - 5)).extension == ".pdf"
