"""Releases: two builds filed into one site; the switcher, the banner, citations, wheels, Colab and report links."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from book_structure import OLD_RELEASE, RELEASE_BASE, RELEASE_REPO, built_page
from dlbook_build.project import ROOT, read_book_release, read_book_repo
from dlbook_build.releases import add_build, read_versions, with_release
from dlbook_build.sphinx.changes import load_changes

BASE, OLD, REPO = RELEASE_BASE, OLD_RELEASE, RELEASE_REPO
PAGE = "gradient-descent.html"


# ---------------------------------------------------------------- names, without a build


@pytest.mark.parametrize("name", ["2026 fall", "../up", "latest", "en", "_static", "-x", "a" * 65])
def test_a_release_name_must_be_a_new_folder_of_the_site(name):
    with pytest.raises(ValueError, match="cannot name a release"):
        read_book_release({"BOOK_RELEASE": name})


def test_a_release_name_is_read_from_book_release():
    assert read_book_release({"BOOK_RELEASE": " 2026-fall "}) == "2026-fall"
    assert read_book_release({}) == ""


def test_book_repo_must_be_owner_and_name():
    assert read_book_repo({"BOOK_REPO": "owner/dlbook"}) == "owner/dlbook"
    with pytest.raises(ValueError, match="expected owner/name"):
        read_book_repo({"BOOK_REPO": "https://github.com/owner/dlbook"})


def test_versions_keep_the_latest_first_and_the_newest_release_next():
    versions = with_release(with_release(with_release([], "", "/b/"), "0.1.0", "/b/"), "0.2.0", "/b/")
    assert [v["version"] for v in versions] == ["latest", "0.2.0", "0.1.0"]
    assert versions[0]["preferred"] and versions[1]["url"] == "/b/0.2.0/"
    assert [v["version"] for v in with_release(versions, "", "/b/")] == ["latest", "0.2.0", "0.1.0"]


def test_every_release_in_the_changes_needs_every_editions_text(tmp_path):
    changes = tmp_path / "changes.toml"
    changes.write_text('[[release]]\nname = "0.1.0"\ndate = 2026-12-07\nen = "First."\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"'0.1.0' lacks \['ko'\]"):
        load_changes(changes)
    assert [r["name"] for r in load_changes()] == [r["name"] for r in load_changes(languages=["en", "ko"])]


# ---------------------------------------------------------------- two releases in one site (the releases fixture)


def soup(path: Path) -> BeautifulSoup:
    return built_page(path)


def in_site(site: Path, url: str) -> Path:
    """The file of the site an address of the published site (or a path from its host's root) leads to."""
    path = urlsplit(url).path
    assert path.startswith("/dlbook/"), url
    return site / path.removeprefix("/dlbook/")


def switcher(page: Path) -> tuple[str, str]:
    """A page's switcher settings, as the theme writes them into the page: the JSON's URL and this page's version."""
    text = page.read_text(encoding="utf-8")
    json_url = re.search(r"theme_switcher_json_url = '([^']+)'", text)
    match = re.search(r"theme_switcher_version_match = '([^']+)'", text)
    assert json_url and match, f"{page} has no version switcher settings"
    return json_url.group(1), match.group(1)


def test_a_release_cannot_be_filed_under_another_name_or_twice(releases, tmp_path):
    builds = releases.parents[1]
    with pytest.raises(ValueError, match="BOOK_RELEASE=2027"):
        add_build(releases, builds / "old", "2027")
    with pytest.raises(FileExistsError, match="frozen"):
        add_build(releases, builds / "old")


def test_the_versions_file_lists_both(releases):
    versions = read_versions(releases)
    assert [(v["version"], v["url"]) for v in versions] == [("latest", "/dlbook/"), (OLD, f"/dlbook/{OLD}/")]
    assert json.loads((releases / "versions-en.json").read_text(encoding="utf-8"))[1]["url"] == f"/dlbook/{OLD}/en/"


@pytest.mark.parametrize("release", ["latest", OLD])
def test_each_page_switches_to_the_same_page_in_the_other_release(releases, release):
    folder = releases / "en" if release == "latest" else releases / OLD / "en"
    for page in [folder / PAGE, folder / "changes.html", folder / "index.html"]:
        json_url, match = switcher(page)
        assert match == release
        # the theme resolves json_url against the edition's folder
        entries = json.loads((page.parent / json_url).resolve().read_text(encoding="utf-8"))
        assert (page.parent / json_url).resolve() == releases / "versions-en.json"
        assert {e["version"] for e in entries} == {"latest", OLD}
        for entry in entries:
            assert in_site(releases, entry["url"] + page.name).is_file()
        assert soup(page).select_one(".version-switcher__button") is not None


def test_old_pages_carry_the_banner_to_the_same_page_in_the_latest(releases):
    page = releases / OLD / "en" / PAGE
    banner = soup(page).select_one(".bd-header-announcement")
    assert OLD in banner.text
    link = banner.select_one("a.release-latest")
    assert (page.parent / link["href"]).resolve() == releases / "en" / PAGE
    assert soup(releases / "en" / PAGE).select_one(".bd-header-announcement") is None


@pytest.mark.parametrize(("release", "folder"), [("latest", "en"), (OLD, f"{OLD}/en")])
def test_cite_boxes_cite_their_own_release_and_canonical_links_the_latest(releases, release, folder):
    page = soup(releases / folder / PAGE)
    plain = page.select_one(".cite-this-plain").text.strip()
    bibtex = page.select_one(".cite-this-bibtex").text
    assert plain.endswith(f"{BASE}/{folder}/{PAGE}")
    assert f"url       = {{{BASE}/{folder}/{PAGE}}}" in bibtex
    if release != "latest":
        assert f"version {OLD}" in plain and f"version {OLD}" in bibtex
    assert page.select_one('link[rel="canonical"]')["href"] == f"{BASE}/en/{PAGE}"


@pytest.mark.parametrize("folder", ["en", f"{OLD}/en"])
def test_each_releases_notebooks_install_that_releases_wheel(releases, folder):
    notebook = json.loads(
        (releases / folder / "_downloads/notebooks/gradient-descent.ipynb").read_text(encoding="utf-8")
    )
    cell = "".join(next(c["source"] for c in notebook["cells"] if c["cell_type"] == "code"))
    wheel = re.search(r'^WHEEL = "([^"]+)"', cell, re.MULTILINE).group(1)
    assert wheel.startswith(f"{BASE}/{folder}/_downloads/dlbook-")
    assert in_site(releases, wheel).is_file()


def test_chapters_open_in_colab_from_the_notebook_branch_and_pages_report_mistakes(releases, tmp_path):
    page = soup(releases / "en" / PAGE)
    colab = page.select_one("a.open-in-colab")["href"]
    prefix = f"https://colab.research.google.com/github/{REPO}/blob/notebooks/"
    assert colab == f"{prefix}latest/en/gradient-descent.ipynb"
    tree = tmp_path / "tree"
    tool = [
        sys.executable,
        str(ROOT / "tools" / "add_release.py"),
        "--site",
        str(releases),
        "--notebook-tree",
        str(tree),
    ]
    result = subprocess.run(tool, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert (tree / colab.removeprefix(prefix)).is_file()
    assert (tree / OLD / "en" / "gradient-descent.ipynb").is_file()
    report = page.select_one("a.report-mistake")
    issue = urlsplit(report["href"])
    assert f"{issue.scheme}://{issue.netloc}{issue.path}" == f"https://github.com/{REPO}/issues/new"
    body = parse_qs(issue.query)["body"][0]
    for field in ["Edition: English edition", "Chapter: 3. Gradient descent by hand", "Release: latest", "Commit: "]:
        assert field in body
    assert "{section}" in report["data-body"]  # the page's script puts the reader's section there
    assert page.select_one("a.open-in-colab") is not None
    assert soup(releases / "en" / "changes.html").select_one("a.open-in-colab") is None, "not a notebook"


def test_a_build_without_book_repo_has_neither_link(releases):
    for page in (releases / OLD / "en").glob("*.html"):
        assert not soup(page).select("a.open-in-colab, a.report-mistake"), page


def test_the_what_changed_page_lists_the_releases(releases):
    page = soup(releases / "en" / "changes.html")
    assert [r.text for r in page.select("p.rubric")] == [
        f"{r['name']} ({r['date'].isoformat()})" for r in load_changes()
    ]
