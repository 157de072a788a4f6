"""torchvision.datasets.utils: integrity checks, downloads (urllib) and archive extraction."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tarfile
import urllib.error
import urllib.request
import zipfile

USER_AGENT = "ember-vision"


def calculate_md5(fpath, chunk_size: int = 1024 * 1024) -> str:
    """torchvision.datasets.utils.calculate_md5."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        while chunk := f.read(chunk_size):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5: str, **kwargs) -> bool:
    """torchvision.datasets.utils.check_md5."""
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5: str | None = None) -> bool:
    """torchvision.datasets.utils.check_integrity: the file exists (and matches md5 if given)."""
    if not os.path.isfile(fpath):
        return False
    return True if md5 is None else check_md5(fpath, md5)


def download_url(url: str, root, filename: str | None = None, md5: str | None = None,
                 max_redirect_hops: int = 3) -> None:
    """torchvision.datasets.utils.download_url: fetch with urllib unless already present."""
    root = os.path.expanduser(root)
    filename = filename or os.path.basename(url)
    fpath = os.path.join(root, filename)
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return
    print(f"Downloading {url} to {fpath}")
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    tmp = fpath + ".part"
    with urllib.request.urlopen(req, timeout=60) as resp, open(tmp, "wb") as f:
        shutil.copyfileobj(resp, f)
    os.replace(tmp, fpath)          # a partial download never looks like a finished file
    if not check_integrity(fpath, md5):
        raise RuntimeError("File not found or corrupted.")


def _safe_members(tar: tarfile.TarFile, dest: str):
    base = os.path.realpath(dest)
    for m in tar.getmembers():
        target = os.path.realpath(os.path.join(dest, m.name))
        if os.path.commonpath([base, target]) != base or m.issym() or m.islnk():
            raise RuntimeError(f"Refusing to extract {m.name!r} outside {dest}")
        yield m


def extract_archive(from_path, to_path=None, remove_finished: bool = False) -> str:
    """torchvision.datasets.utils.extract_archive: .tar(.gz), .tgz, .zip or a lone .gz."""
    to_path = os.path.dirname(from_path) if to_path is None else to_path
    p = str(from_path)
    if p.endswith((".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz")):
        with tarfile.open(p) as tar:
            tar.extractall(to_path, members=list(_safe_members(tar, to_path)))
    elif p.endswith(".zip"):
        with zipfile.ZipFile(p) as z:
            z.extractall(to_path)
    elif p.endswith(".gz"):
        out = os.path.join(to_path, os.path.basename(p)[:-3])
        with gzip.open(p, "rb") as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
    else:
        raise RuntimeError(f"Couldn't detect the archive type of {p}")
    if remove_finished:
        os.remove(p)
    return to_path


def download_and_extract_archive(url: str, download_root, extract_root=None,
                                 filename: str | None = None, md5: str | None = None,
                                 remove_finished: bool = False) -> None:
    """torchvision.datasets.utils.download_and_extract_archive."""
    download_root = os.path.expanduser(download_root)
    extract_root = extract_root or download_root
    filename = filename or os.path.basename(url)
    download_url(url, download_root, filename, md5)
    archive = os.path.join(download_root, filename)
    print(f"Extracting {archive} to {extract_root}")
    extract_archive(archive, extract_root, remove_finished)


def download_failed(name: str, folder: str, files: list[str], urls: list[str], error) -> None:
    """Raise the RuntimeError ember gives when a dataset cannot be downloaded (no network):
    which files are expected, where to put them, and where they come from."""
    listing = "\n".join(f"  {os.path.join(folder, f)}" for f in files)
    sources = "\n".join(f"  {u}" for u in urls)
    raise RuntimeError(
        f"Could not download {name} ({error}). Without network access, fetch the files "
        f"elsewhere and place them at:\n{listing}\nSources:\n{sources}") from None


URLError = urllib.error.URLError
