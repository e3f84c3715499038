/* terminal.c - process.terminal: a pty made inside the container, whose
 * master side goes to the caller's --console-socket with SCM_RIGHTS (as
 * runc's, so that conmon and containerd's shim hold the terminal). See
 * instance.h. Read: pty(7), unix(7) SCM_RIGHTS, ioctl_tty(2) TIOCSCTTY. */
#include "05-runtime/instance.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
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
	if (bind_console) {
		rc = open("/dev/console", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		if (rc >= 0)
			close(rc);
		if (ns_mount(slave, "/dev/console", NULL, MS_BIND, NULL) < 0)
			return -1;
	}
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
