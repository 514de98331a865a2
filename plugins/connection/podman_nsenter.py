# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: podman_nsenter
short_description: Run tasks in a local podman container by entering its namespaces
version_added: 0.4.0
description:
  - Runs each command in a running container of the controller's rootful podman with C(nsenter), in the mount, UTS,
    IPC, network, PID and cgroup namespaces of the container's first process, and copies files by streaming them
    through the same command. Modules are piped to the container's Python (pipelining).
  - It exists for the local stack (C(make up)) and the test hosts. A task through C(containers.podman.podman) runs
    four or five C(podman exec), about 0.14 s each on a 2-core machine; through this connection it runs one
    C(nsenter), a few milliseconds.
  - The commands run as root with the controller's capabilities, outside the container's seccomp profile and
    capability bounding set. Use it on test and development hosts only; production hosts are reached with SSH.
author:
  - ecommerce platform team (!UNKNOWN)
notes:
  - Needs root on the controller (C(nsenter) into another process's namespaces) and C(nsenter) from util-linux.
  - The commands get a clean environment (C(PATH), C(HOME=/root), C(LANG=C.UTF-8)), not the controller's.
options:
  remote_addr:
    description: Name or ID of the container.
    type: str
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
  podman_executable:
    description: The podman command that owns the container.
    type: str
    default: podman
    vars:
      - name: ansible_podman_executable
    env:
      - name: ANSIBLE_PODMAN_EXECUTABLE
  pipelining:
    description: Pipe modules to the container's Python instead of copying them to a temporary file first.
    type: bool
    default: true
    vars:
      - name: ansible_pipelining
'''

import shlex
import subprocess

from ansible.errors import AnsibleConnectionFailure, AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.plugins.connection import ConnectionBase
from ansible.utils.display import Display

display = Display()

CLEAN_ENVIRONMENT = ['env', '-i', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root',
                     'LANG=C.UTF-8']


class Connection(ConnectionBase):
    """Commands in a container's namespaces, files streamed through them."""

    transport = 'ecommerce.kafka.podman_nsenter'
    has_pipelining = True

    def __init__(self, play_context, new_stdin, *args, **kwargs):
        super(Connection, self).__init__(play_context, new_stdin, *args, **kwargs)
        self._pid = None

    def _connect(self):
        if self._connected:
            return self
        container = self.get_option('remote_addr')
        command = [self.get_option('podman_executable'), 'container', 'inspect', '--format', '{{.State.Pid}}',
                   container]
        try:
            inspected = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        except OSError as exc:
            raise AnsibleConnectionFailure('container %s: %s cannot be run: %s' % (container, command[0], exc))
        pid = to_text(inspected.stdout).strip()
        if inspected.returncode != 0 or not pid.isdigit() or pid == '0':
            raise AnsibleConnectionFailure('container %s is not running: %s' % (
                container, to_text(inspected.stderr).strip() or 'podman reports no process'))
        self._pid = pid
        self._connected = True
        display.vvv('ENTER container %s (process %s)' % (container, pid), host=container)
        return self

    def _in_container(self, command):
        """The argv that runs the shell `command` in the container's namespaces, with a clean environment."""
        return (['nsenter', '--target', self._pid, '--mount', '--uts', '--ipc', '--net', '--pid', '--cgroup',
                 '--root', '--wd'] + CLEAN_ENVIRONMENT + ['/bin/sh', '-c', command])

    def _run(self, command, stdin=None, stdout=subprocess.PIPE):
        argv = self._in_container(command)
        display.vvvvv('RUN %s' % argv, host=self.get_option('remote_addr'))
        try:
            process = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin is None else stdin, stdout=stdout,
                                       stderr=subprocess.PIPE)
        except OSError as exc:
            raise AnsibleConnectionFailure('container %s: nsenter cannot be run: %s' % (
                self.get_option('remote_addr'), exc))
        return process

    def exec_command(self, cmd, in_data=None, sudoable=False):
        super(Connection, self).exec_command(cmd, in_data=in_data, sudoable=sudoable)
        process = self._run(to_native(cmd))
        stdout, stderr = process.communicate(in_data)
        return process.returncode, stdout, stderr

    def put_file(self, in_path, out_path):
        super(Connection, self).put_file(in_path, out_path)
        try:
            source = open(to_bytes(in_path), 'rb')
        except IOError as exc:
            raise AnsibleFileNotFound('file to copy to container %s: %s' % (self.get_option('remote_addr'), exc))
        with source:
            process = self._run('cat > %s' % shlex.quote(to_native(out_path)), stdin=source)
            stderr = process.communicate()[1]
        if process.returncode != 0:
            raise AnsibleError('%s could not be written in container %s: %s' % (
                out_path, self.get_option('remote_addr'), to_text(stderr).strip()))

    def fetch_file(self, in_path, out_path):
        super(Connection, self).fetch_file(in_path, out_path)
        with open(to_bytes(out_path), 'wb') as target:
            process = self._run('cat %s' % shlex.quote(to_native(in_path)), stdout=target)
            stderr = process.communicate()[1]
        if process.returncode != 0:
            raise AnsibleError('%s could not be read from container %s: %s' % (
                in_path, self.get_option('remote_addr'), to_text(stderr).strip()))

    def close(self):
        self._connected = False
