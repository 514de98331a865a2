"""Stand-in for the get-pip.py that ansible-test downloads from a host that is
not reachable here (ansible-test reads it from ~/.ansible/test/cache). It
installs the pip that Python bundles, then lets that pip install what
ansible-test asked for, from the package index."""
import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}

# ansible-test runs this with a stripped environment; the machine's CA bundle
# is what lets pip verify the package index here.
SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"

ensurepip.bootstrap(upgrade=True)
pip_args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
env = dict(os.environ)
if os.path.exists(SYSTEM_CA_BUNDLE):
    env.setdefault("REQUESTS_CA_BUNDLE", SYSTEM_CA_BUNDLE)
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "--upgrade", *pip_args], env=env))
