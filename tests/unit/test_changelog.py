"""The changelog is kept by antsibull-changelog (docs/contributing.md): each
change adds a fragment to changelogs/fragments/, a release folds the fragments
into changelogs/changelog.yaml, and CHANGELOG.md is generated from that file.
These tests keep the fragments valid and CHANGELOG.md equal to what
`antsibull-changelog generate` writes, so that nobody edits it by hand."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def antsibull_changelog(*args, cwd):
    return subprocess.run([sys.executable, "-m", "antsibull_changelog", *args], cwd=cwd,
                          capture_output=True, text=True, check=False, timeout=120)


def copy_of_changelog_files(tmp_path):
    """galaxy.yml and changelogs/ without the fragments: what generate reads."""
    root = tmp_path / "collection"
    (root / "changelogs" / "fragments").mkdir(parents=True)
    shutil.copy(ROOT / "galaxy.yml", root)
    for name in ("config.yaml", "changelog.yaml"):
        shutil.copy(ROOT / "changelogs" / name, root / "changelogs")
    return root


def test_fragments_pass_lint():
    result = antsibull_changelog("lint", cwd=ROOT)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_lint_reports_a_bad_fragment(tmp_path):
    root = copy_of_changelog_files(tmp_path)
    (root / "changelogs" / "fragments" / "bad.yml").write_text("---\nminor_changes: not a list\nnews:\n  - x\n")
    result = antsibull_changelog("lint", cwd=root)
    assert "invalid section: news" in result.stdout
    assert 'section "minor_changes" must be type list' in result.stdout


def test_changelog_md_is_what_generate_writes(tmp_path):
    root = copy_of_changelog_files(tmp_path)
    result = antsibull_changelog("generate", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (ROOT / "CHANGELOG.md").read_text() == (root / "CHANGELOG.md").read_text(), (
        "CHANGELOG.md differs from changelogs/changelog.yaml: run `antsibull-changelog generate`")
