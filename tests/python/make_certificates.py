"""Writes a CURVE certificate pair with pyzmq's zmq.auth.create_certificates.

usage: make_certificates.py DIRECTORY NAME
Prints the public key (Z85).
"""
import sys

import zmq.auth

public_file, _secret_file = zmq.auth.create_certificates(sys.argv[1], sys.argv[2])
public, _ = zmq.auth.load_certificate(public_file)
print(public.decode())
