"""A private Dovecot IMAP server for the IMAP poller's tests: its own config, base dir and
passwd-file in a temporary directory, one user, maildir storage, plain IMAP on a free loopback
port, no SSL and no syslog.

Dovecot refuses to run its login processes or mail as root, so when the tests run as root those
run as `nobody`, and the maildir lives in a directory of its own that `nobody` can reach (pytest's
tmp_path is private to root).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.ports import free_port

DOVECOT = "/usr/sbin/dovecot"
DOVEADM = "/usr/bin/doveadm"
USER = "agent"
PASSWORD = "imap-secret"


def dovecot_missing() -> str | None:
    """Why these tests cannot run here, or None."""
    if not os.path.exists(DOVECOT):
        return f"Dovecot is not installed ({DOVECOT}); .ci/run installs dovecot-imapd"
    if not os.path.exists("/usr/lib/dovecot/imap"):
        return "Dovecot's IMAP server is not installed (package dovecot-imapd)"
    return None


class Dovecot:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.config = root / "dovecot.conf"
        self.process: subprocess.Popen[bytes] | None = None
        if os.geteuid() == 0:
            service = pwd.getpwnam("nobody")
            self.mail_root = Path(tempfile.mkdtemp(prefix="cc-dovecot-mail-"))
            self.mail_root.chmod(0o755)
            os.chown(self.mail_root, service.pw_uid, service.pw_gid)
            internal, login = "root", "nobody"
        else:
            service = pwd.getpwuid(os.geteuid())
            self.mail_root = root / "mail"
            self.mail_root.mkdir()
            internal = login = service.pw_name
        # Unix socket paths hold 108 bytes: pytest's tmp_path under xdist (…/popen-gw1/…) is
        # longer than Dovecot's sockets allow, so they live in a short directory of their own.
        self.run_dir = Path(tempfile.mkdtemp(prefix="ccdv-"))
        (root / "state").mkdir()
        (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:::\n")
        self.config.write_text(
            f"""protocols = imap
listen = 127.0.0.1
base_dir = {self.run_dir}
state_dir = {root}/state
instance_name = cc-test-{self.port}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
first_valid_uid = 0
first_valid_gid = 0
default_internal_user = {internal}
default_internal_group = {internal if internal != "nobody" else "nogroup"}
default_login_user = {login}
mail_location = maildir:{self.mail_root}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={service.pw_uid} gid={service.pw_gid} home={self.mail_root}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
service auth {{
  user = {internal}
}}
"""
        )
        if os.geteuid() != 0:
            # Not root: everything runs as this user, whose primary group is the one to use.
            text = self.config.read_text()
            group = _group_name(service.pw_gid)
            self.config.write_text(
                text.replace(
                    f"default_internal_group = {internal}", f"default_internal_group = {group}"
                )
            )

    def start(self) -> Dovecot:
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"dovecot exited: {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    if conn.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"dovecot did not listen on {self.port}: {self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def cleanup(self) -> None:
        self.stop()
        if self.mail_root.parent != self.root:
            shutil.rmtree(self.mail_root, ignore_errors=True)
        shutil.rmtree(self.run_dir, ignore_errors=True)

    def set_uidvalidity(self, value: int, folder: str = "INBOX") -> None:
        """What a restored or rebuilt folder looks like to a client: the same messages under a
        new UIDVALIDITY, so the UIDs it knew mean nothing."""
        subprocess.run(
            [DOVEADM, "-c", str(self.config), "mailbox", "update", *_uidvalidity(value, folder)],
            check=True,
            capture_output=True,
        )

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""


def _uidvalidity(value: int, folder: str) -> list[str]:
    return ["-u", USER, "--uid-validity", str(value), folder]


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name
