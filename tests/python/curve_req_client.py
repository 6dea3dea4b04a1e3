"""A pyzmq CURVE REQ client: an outside peer for zguard's interop tests.

usage: curve_req_client.py ENDPOINT SERVER_PUBLIC_CERT CLIENT_SECRET_CERT MESSAGE
Prints the reply; exits 3 when no reply comes within 3 s.
Certificates are read with pyzmq's own zmq.auth.load_certificate.
"""
import sys

import zmq
import zmq.auth


def main():
    endpoint, server_cert, client_cert, message = sys.argv[1:5]
    server_public, _ = zmq.auth.load_certificate(server_cert)
    client_public, client_secret = zmq.auth.load_certificate(client_cert)
    if client_secret is None:
        sys.exit("client certificate has no secret key: " + client_cert)
    ctx = zmq.Context()
    sock = ctx.socket(zmq.REQ)
    sock.linger = 0
    sock.rcvtimeo = 3000
    sock.curve_serverkey = server_public
    sock.curve_publickey = client_public
    sock.curve_secretkey = client_secret
    sock.connect(endpoint)
    sock.send(message.encode())
    try:
        print(sock.recv().decode(), flush=True)
    except zmq.Again:
        print("no reply", flush=True)
        sys.exit(3)
    finally:
        sock.close()
        ctx.term()


if __name__ == "__main__":
    main()
