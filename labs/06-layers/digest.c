/* digest.c - check digest strings, hash streams with libcrypto (EVP). */
#include "06-layers/digest.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "lib/hop.h"

/* The hex length of each algorithm we accept. */
static size_t digest_hex_length(const char *algorithm, size_t length)
{
	if (length == 6 && strncmp(algorithm, "sha256", 6) == 0)
		return 64;
	if (length == 6 && strncmp(algorithm, "sha512", 6) == 0)
		return 128;
	return 0;
}

int digest_check(const char *text)
{
	const char *colon = strchr(text, ':');
	size_t want, i;

	if (!colon)
		return hop_refuse(_("digest '%s': not ALGORITHM:HEX; refused"),
				  text);
	want = digest_hex_length(text, (size_t)(colon - text));
	if (want == 0)
		return hop_refuse(
			_("digest '%s': only sha256 and sha512 are accepted; refused"),
			text);
	for (i = 0; colon[1 + i]; i++) {
		char c = colon[1 + i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			break;
	}
	if (i != want || colon[1 + i])
		return hop_refuse(
			_("digest '%s': not %zu lowercase hex digits; refused"),
			text, want);
	return 0;
}

int digest_hash_start(struct digest_hash *hash, const char *digest)
{
	const char *algorithm = "sha256";
	const EVP_MD *md;
	EVP_MD_CTX *ctx;

	if (digest && strncmp(digest, "sha512:", 7) == 0)
		algorithm = "sha512";
	snprintf(hash->algorithm, sizeof(hash->algorithm), "%s", algorithm);
	md = EVP_get_digestbyname(algorithm);
	ctx = EVP_MD_CTX_new();
	if (!md || !ctx || EVP_DigestInit_ex(ctx, md, NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		hash->ctx = NULL;
		return hop_fail_library(_("libcrypto: cannot start %s"),
					algorithm);
	}
	hash->ctx = ctx;
	return 0;
}

int digest_hash_update(struct digest_hash *hash, const void *data, size_t size)
{
	if (EVP_DigestUpdate(hash->ctx, data, size) != 1)
		return hop_fail_library(_("libcrypto: %s failed"),
					hash->algorithm);
	return 0;
}

int digest_hash_finish(struct digest_hash *hash, char *out)
{
	unsigned char sum[EVP_MAX_MD_SIZE];
	unsigned int length = 0, i;
	int n;

	if (EVP_DigestFinal_ex(hash->ctx, sum, &length) != 1) {
		digest_hash_drop(hash);
		return hop_fail_library(_("libcrypto: %s failed"),
					hash->algorithm);
	}
	digest_hash_drop(hash);
	n = snprintf(out, DIGEST_MAX, "%s:", hash->algorithm);
	for (i = 0; i < length && n + 2 < DIGEST_MAX; i++)
		n += snprintf(out + n, DIGEST_MAX - (size_t)n, "%02x", sum[i]);
	return 0;
}

void digest_hash_drop(struct digest_hash *hash)
{
	EVP_MD_CTX_free(hash->ctx);
	hash->ctx = NULL;
}

const char *digest_blob_path(const char *digest, char *buf, size_t size)
{
	const char *colon = strchr(digest, ':');

	snprintf(buf, size, "%.*s/%s", (int)(colon - digest), digest,
		 colon + 1);
	return buf;
}
