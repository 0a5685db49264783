/* SHA-256 over streams (OpenSSL libcrypto), and digest strings of the form "sha256:<64 hex>". */
#ifndef BSN_BASE_SHA256_H
#define BSN_BASE_SHA256_H

#include <stdbool.h>
#include <stddef.h>

#define BSN_SHA256_HEX 64
#define BSN_DIGEST_MAX 80 /* "sha256:" + 64 hex + NUL, rounded */

struct bsn_sha256 {
    void *ctx; /* EVP_MD_CTX */
};

void bsn_sha256_init(struct bsn_sha256 *h);
void bsn_sha256_update(struct bsn_sha256 *h, const void *p, size_t n);
/* Writes "sha256:<hex>" into out (BSN_DIGEST_MAX bytes) and releases the context. */
void bsn_sha256_final(struct bsn_sha256 *h, char out[BSN_DIGEST_MAX]);
void bsn_sha256_release(struct bsn_sha256 *h); /* without finishing; safe after final */
void bsn_sha256_digest(const void *p, size_t n, char out[BSN_DIGEST_MAX]);
/* True if s is "sha256:" followed by exactly 64 lowercase hex digits. */
bool bsn_digest_valid(const char *s, size_t n);

#endif
