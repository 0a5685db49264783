/* SHA-256 via OpenSSL's EVP interface. */
#include "base/sha256.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

void
bsn_sha256_init(struct bsn_sha256 *h)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
        BSN_BUG("EVP sha256 init failed");
    h->ctx = c;
}

void
bsn_sha256_update(struct bsn_sha256 *h, const void *p, size_t n)
{
    if (n && EVP_DigestUpdate((EVP_MD_CTX *)h->ctx, p, n) != 1)
        BSN_BUG("EVP sha256 update failed");
}

void
bsn_sha256_final(struct bsn_sha256 *h, char out[BSN_DIGEST_MAX])
{
    unsigned char md[32];
    unsigned int n = 0;
    static const char hex[] = "0123456789abcdef";

    if (EVP_DigestFinal_ex((EVP_MD_CTX *)h->ctx, md, &n) != 1 || n != 32)
        BSN_BUG("EVP sha256 final failed");
    memcpy(out, "sha256:", 7);
    for (unsigned i = 0; i < 32; i++) {
        out[7 + 2 * i] = hex[md[i] >> 4];
        out[8 + 2 * i] = hex[md[i] & 15];
    }
    out[7 + 64] = '\0';
    bsn_sha256_release(h);
}

void
bsn_sha256_release(struct bsn_sha256 *h)
{
    if (h->ctx)
        EVP_MD_CTX_free((EVP_MD_CTX *)h->ctx);
    h->ctx = NULL;
}

void
bsn_sha256_digest(const void *p, size_t n, char out[BSN_DIGEST_MAX])
{
    struct bsn_sha256 h;
    bsn_sha256_init(&h);
    bsn_sha256_update(&h, p, n);
    bsn_sha256_final(&h, out);
}

bool
bsn_digest_valid(const char *s, size_t n)
{
    if (n != 7 + 64 || memcmp(s, "sha256:", 7) != 0)
        return false;
    for (size_t i = 7; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}
