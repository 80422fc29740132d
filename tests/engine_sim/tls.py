# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fresh CA and a server certificate for 127.0.0.1 on every start (EC keys: fast), or the
previous start's when the simulator persists its state."""

import datetime
import ipaddress
import os
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(common_name):
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'ovirt_iscsi engine simulator'),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _builder(subject, issuer, public_key):
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=30)))


def _server_context(cert_file, key_file):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context


def make_context(state_dir, reuse=False):
    """Write ca.pem, server.pem and server.key into `state_dir`; return the server's SSLContext.
    With `reuse`, files an earlier start wrote are used again (a restarted engine keeps its CA)."""
    ca_file = os.path.join(state_dir, 'ca.pem')
    cert_file = os.path.join(state_dir, 'server.pem')
    key_file = os.path.join(state_dir, 'server.key')
    if reuse and all(os.path.exists(path) for path in (ca_file, cert_file, key_file)):
        return _server_context(cert_file, key_file)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name('engine-sim CA')
    ca_cert = (_builder(ca_name, ca_name, ca_key.public_key())
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                            content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False,
                                            encipher_only=False, decipher_only=False), critical=True)
               .sign(ca_key, hashes.SHA256()))
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (_builder(_name('127.0.0.1'), ca_name, server_key.public_key())
                   .add_extension(x509.SubjectAlternativeName([
                       x509.IPAddress(ipaddress.ip_address('127.0.0.1')), x509.DNSName('localhost')]), critical=False)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .sign(ca_key, hashes.SHA256()))
    os.makedirs(state_dir, exist_ok=True)
    with open(cert_file, 'wb') as handle:
        handle.write(server_cert.public_bytes(serialization.Encoding.PEM))
    key_fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(key_fd, 'wb') as handle:
        handle.write(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    # ca.pem last: its presence tells a waiting client that the others exist.
    with open(ca_file + '.tmp', 'wb') as handle:
        handle.write(ca_cert.public_bytes(serialization.Encoding.PEM))
    os.replace(ca_file + '.tmp', ca_file)
    return _server_context(cert_file, key_file)
