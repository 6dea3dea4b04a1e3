// zguard_keygen: writes a CURVE keypair as CZMQ-compatible certificate files
// (NAME public, NAME_secret mode 0600), or with --sign a message signing key
// (ed25519: NAME public + NAME_secret; blake2b: NAME_secret only). The same
// code as `zguard keygen` (tools/keygen.hpp).
#include "../tools/keygen.hpp"

int main(int argc, char** argv) { return zguard_tool::keygen("zguard_keygen", argc, argv); }
