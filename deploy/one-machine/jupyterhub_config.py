"""JupyterHub for a class on one machine (up to about 100 learners: see the capacity table in
docs/teaching.md), with the course's pinned environment as every learner's environment.

On the hub machine (Linux with systemd, as root), from a clone of the course in COURSE:

    cd /opt/backprop-step-by-step && python3 course.py setup --teacher   # .venv: both pin files
    mkdir -p /opt/jupyterhub-proxy && cp deploy/proxy/package*.json /opt/jupyterhub-proxy/
    npm ci --prefix /opt/jupyterhub-proxy                                 # the pinned Node proxy
    .venv/bin/jupyterhub -f deploy/one-machine/jupyterhub_config.py

Replace the three EXAMPLE values (address, certificate, repository) and the authenticator.
The per-learner figures below come from benchmarks/classroom.py through
course_tools/classroom/capacity.py; tests/test_classroom_deploy.py keeps them in agreement.
"""
import sys

c = get_config()  # noqa: F821  (JupyterHub provides it)

COURSE = "/opt/backprop-step-by-step"  # the clone whose .venv every learner's server runs in
PROXY = "/opt/jupyterhub-proxy/node_modules/.bin/configurable-http-proxy"
REPO = "https://github.com/EXAMPLE-ORG/backprop-step-by-step"  # EXAMPLE: your fork of the course

# ---------------------------------------------------------------- where the hub listens
c.JupyterHub.bind_url = "https://hub.example.edu"  # EXAMPLE
c.JupyterHub.ssl_cert = "/etc/ssl/certs/hub.example.edu.pem"  # EXAMPLE
c.JupyterHub.ssl_key = "/etc/ssl/private/hub.example.edu.key"  # EXAMPLE
c.ConfigurableHTTPProxy.command = [PROXY]

# ---------------------------------------------------------------- who may log in
# PAM (the machine's own accounts) works as it is; a university usually plugs in its single
# sign-on instead (the oauthenticator or ldapauthenticator packages).
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allow_all = True  # everyone the authenticator accepts; or list them in allowed_users
c.Authenticator.admin_users = set()  # the teachers' user names

# ---------------------------------------------------------------- every learner's server
# systemd runs each server as its own sandboxed user (DynamicUser: no accounts to create) with a
# home under /var/lib/<name> that persists, and enforces the limits below through cgroups.
c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
c.SystemdSpawner.dynamic_users = True
c.SystemdSpawner.isolate_tmp = True
c.SystemdSpawner.isolate_devices = True
c.SystemdSpawner.readonly_paths = [COURSE]
# nbgrader's exchange (fetch, submit): a DynamicUser sees the file system read-only except its home,
# so name the exchange folder, nbgrader's default (create it once, writable by everyone:
# mkdir -p /usr/local/share/nbgrader/exchange && chmod 777 /usr/local/share/nbgrader/exchange).
c.SystemdSpawner.readwrite_paths = ["/usr/local/share/nbgrader/exchange"]
c.Spawner.cmd = [f"{COURSE}/.venv/bin/jupyterhub-singleuser"]
c.SystemdSpawner.extra_paths = [f"{COURSE}/.venv/bin"]
# Per learner, from the measured peak (server + kernel of the heaviest lesson): the limit stops a
# runaway notebook; the guarantee (cgroup MemoryLow) protects each learner's lessons from the others.
c.SystemdSpawner.mem_limit = "1280M"
c.SystemdSpawner.cpu_limit = 1.0
c.SystemdSpawner.unit_extra_properties = {"MemoryLow": "640M"}
# nbgitpuller: every start pulls the course into ~/backprop-step-by-step (the learner's own edits
# are kept) and opens lesson 00 in JupyterLab. `python3 course.py classroom gitpuller-link` prints it.
c.Spawner.default_url = (
    "/git-pull?repo=https%3A%2F%2Fgithub.com%2FEXAMPLE-ORG%2Fbackprop-step-by-step&branch=main"
    "&targetpath=backprop-step-by-step&urlpath=lab%2Ftree%2Fbackprop-step-by-step%2Fnotebooks%2F00_setup_check.ipynb"
)

# ---------------------------------------------------------------- the idle culler
# Servers idle for an hour are stopped (their files stay): memory goes back to the class.
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600", "--cull-every=300"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
