/* czmq_cert_tool: CZMQ on the other side of the certificate interop tests.
 *   czmq_cert_tool save PATH   zcert_new + zcert_save; prints the public key
 *   czmq_cert_tool load PATH   zcert_load; prints the public key and, when
 *                              PATH_secret was read, the secret key
 * Exits non-zero on failure. */
#include <czmq.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: czmq_cert_tool save|load PATH\n");
    return 2;
  }
  if (strcmp(argv[1], "save") == 0) {
    zcert_t *cert = zcert_new();
    if (!cert) return 1;
    zcert_set_meta(cert, "name", "made by czmq");
    int rc = zcert_save(cert, argv[2]);
    if (rc == 0) printf("%s\n", zcert_public_txt(cert));
    zcert_destroy(&cert);
    return rc == 0 ? 0 : 1;
  }
  if (strcmp(argv[1], "load") == 0) {
    zcert_t *cert = zcert_load(argv[2]);
    if (!cert) return 1;
    printf("%s\n", zcert_public_txt(cert));
    const char *secret = zcert_secret_txt(cert);
    /* CZMQ reports an all-zero secret as forty '0' characters. */
    if (secret && strcmp(secret, "0000000000000000000000000000000000000000") != 0) printf("%s\n", secret);
    zcert_destroy(&cert);
    return 0;
  }
  return 2;
}
