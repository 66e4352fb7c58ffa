"""`yiye audit-pack`: wiring of the CLI to yiye.audit (build, verify, exit codes)."""

from __future__ import annotations

import zipfile

import pytest

from yiye.cli import main
from yiye.config import Home


def test_audit_pack_before_any_run_says_what_is_missing(capsys, tmp_path) -> None:
    assert main(["audit-pack", "--year", "2024", "--home", str(tmp_path)]) == 1
    assert "无法生成审计包" in capsys.readouterr().err


def test_audit_pack_needs_year_or_verify() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["audit-pack", "--year", "2024", "--verify", "x.zip"])
    assert exc.value.code == 2


@pytest.mark.slow
def test_audit_pack_build_then_verify_then_tamper(built_home: Home, tmp_path, capsys) -> None:
    out = tmp_path / "pack_2024.zip"
    assert (
        main(["audit-pack", "--year", "2024", "--home", str(built_home.root), "--out", str(out)])
        == 0
    )
    assert out.exists() and str(out) in capsys.readouterr().out
    assert main(["audit-pack", "--verify", str(out)]) == 0
    assert "校验通过" in capsys.readouterr().out
    # tamper with one member: verification must fail with exit 1
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(tampered, "w") as dst:
        names = [n for n in src.namelist() if not n.endswith("MANIFEST.sha256")]
        for name in src.namelist():
            data = src.read(name)
            if name == names[0]:
                data = data + b"\n"
            dst.writestr(name, data)
    assert main(["audit-pack", "--verify", str(tampered)]) == 1
    assert "校验未通过" in capsys.readouterr().err
