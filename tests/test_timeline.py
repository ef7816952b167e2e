"""`unionstate timeline`: the picture holds what it says, the same every time, and a
browser shows it (headless Chromium, Debian's package, when it is installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

import unionstate
from unionstate.cli import main
from unionstate.timeline import render

LABELS = ("President of Belarus", "Prime Minister of Russia", "Meetings and calls", "Forecasts")


@pytest.fixture(scope="module")
def ds() -> unionstate.Dataset:
    return unionstate.load()


def test_the_svg_names_the_offices_and_holders(ds: unionstate.Dataset) -> None:
    svg = render(ds, between=("2020", "2021"), fmt="svg").decode("utf-8")
    for label in (*LABELS, "Rumas", "Halouchanka", "Mishustin"):
        assert label in svg, label


def test_the_picture_is_the_same_every_time(ds: unionstate.Dataset) -> None:
    for fmt in ("svg", "png", "html"):
        assert render(ds, between=("2022", "2022"), fmt=fmt) == render(  # type: ignore[arg-type]
            ds,
            between=("2022", "2022"),
            fmt=fmt,  # type: ignore[arg-type]
        )


def test_more_meetings_more_markers(ds: unionstate.Dataset) -> None:
    one = render(ds, between=("2022-01-01", "2022-03-31"), fmt="svg").decode().count("<use ")
    year = render(ds, between=("2022-01-01", "2022-12-31"), fmt="svg").decode().count("<use ")
    assert year > one > 0


def test_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "t.png"
    assert main(["timeline", "--out", str(out), "--from", "2021", "--to", "2021"]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert main(["timeline", "--out", str(tmp_path / "t.gif")]) == 2
    assert main(["timeline", "--out", str(tmp_path / "t.svg"), "--involving", "Nobody"]) == 2
    assert "Nobody" in capsys.readouterr().err
    # a day that is not EDTF is told before the data is read (none is there to read)
    nowhere = str(tmp_path / "nowhere")
    assert main(["timeline", "--out", str(out), "--to", "2021-02-30", "--data", nowhere]) == 2
    err = capsys.readouterr().err
    assert "is not an EDTF date" in err
    assert "nowhere" not in err


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_a_browser_shows_the_page(tmp_path: Path) -> None:
    page = tmp_path / "timeline.html"
    assert main(["timeline", "--out", str(page), "--from", "2019"]) == 0
    profile = [f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            *profile,
            f"--screenshot={shot}",
            "--window-size=1400,1000",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    import matplotlib.image

    pixels = matplotlib.image.imread(str(shot))
    assert pixels.shape[0] > 500
    assert pixels[..., :3].std() > 0.05  # not blank: bars, markers and text
    dom = subprocess.run(
        [CHROMIUM, *FLAGS, *profile, "--dump-dom", page.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
        text=True,
    ).stdout
    for label in (*LABELS, "Lukashenka", "Turchin"):
        assert label in dom, label
