/* terminal.c - process.terminal: a pty made inside the container, whose
 * master side goes to the caller's --console-socket with SCM_RIGHTS (as
 * runc's, so that conmon and containerd's shim hold the terminal). See
 * instance.h. Read: pty(7), unix(7) SCM_RIGHTS, ioctl_tty(2) TIOCSCTTY. */
#include "05-runtime/instance.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "01-namespaces/ns.h"
#include "lib/hop.h"

int terminal_connect(const char *path)
{
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	int fd;

	if (!path)
		return hop_refuse(_("a terminal needs --console-socket"));
	if (strlen(path) >= sizeof(address.sun_path))
		return hop_refuse(_("--console-socket %s: path too long"),
				  path);
	memcpy(address.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hop_fail("socket(AF_UNIX)");
	if (connect(fd, (struct sockaddr *)&address, sizeof(address)) < 0) {
		close(fd);
		return hop_fail(_("connect to --console-socket %s"), path);
	}
	hop_explain(0, "connect(\"%s\")", path);
	return fd;
}

/* Send fd over socket with SCM_RIGHTS: the caller (podman's conmon, our
 * recvtty) gets the terminal's master side. */
static int send_fd(int socket_fd, int fd)
{
	char data[] = "/dev/ptmx";
	union {
		char buffer[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control = { 0 };
	struct iovec iov = { data, sizeof(data) - 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = control.buffer,
			      .msg_controllen = sizeof(control.buffer) };
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	if (sendmsg(socket_fd, &msg, MSG_NOSIGNAL) < 0)
		return hop_fail(_("send the terminal to --console-socket"));
	return 0;
}

/* Bind the terminal onto /dev/console: made (an empty file) and opened
 * inside the root, never through a symlink the image planted, then
 * mounted on by its fd (as mounts.c mounts everything). */
static int bind_to_console(const char *slave)
{
	struct open_how how = { .flags = O_CREAT | O_RDONLY | O_NOCTTY |
					 O_CLOEXEC | O_NOFOLLOW,
				.mode = 0600,
				.resolve = RESOLVE_IN_ROOT |
					   RESOLVE_NO_SYMLINKS |
					   RESOLVE_NO_MAGICLINKS };
	char target[64];
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/dev/console", &how,
			      sizeof(how));
	struct stat st;
	int rc;

	hop_explain(fd, "openat2(\"/dev/console\", O_CREAT, RESOLVE_IN_ROOT|"
			"RESOLVE_NO_SYMLINKS)");
	if (fd < 0)
		return hop_fail(_("make /dev/console"));
	if (fstat(fd, &st) < 0 ||
	    (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))) {
		close(fd);
		return hop_refuse(_("/dev/console is neither a file nor a "
				    "device: refusing to mount on it"));
	}
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	rc = ns_mount(slave, target, NULL, MS_BIND, NULL);
	close(fd);
	return rc;
}

int terminal_setup(int *console, int bind_console)
{
	char slave[64];
	int master, tty, rc;

	if (*console < 0)
		return 0;
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, slave, sizeof(slave)) != 0)
		return hop_fail(_("open a terminal in the container"));
	tty = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty < 0)
		return hop_fail(_("open %s"), slave);
	if (bind_console && bind_to_console(slave) < 0)
		return -1;
	if (send_fd(*console, master) < 0)
		return -1;
	close(master);
	close(*console);
	*console = -1;
	rc = ioctl(tty, TIOCSCTTY, 0);
	hop_explain(rc, "ioctl(%s, TIOCSCTTY)", slave);
	if (rc < 0)
		return hop_fail(_("make %s our terminal"), slave);
	for (int fd = 0; fd < 3; fd++)
		if (dup2(tty, fd) < 0)
			return hop_fail("dup2");
	close(tty);
	return 0;
}
