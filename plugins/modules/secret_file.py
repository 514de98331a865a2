#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: secret_file
short_description: Write a file that holds secrets, with a --diff that masks them
version_added: 0.3.0
description:
  - Writes O(content) to O(path) when it differs, atomically, with the file's owner, group and mode.
  - Its C(--diff) shows every changed line with the secret values masked, and marks a line whose secret changed,
    so that a run shows what it changes without showing a password; C(ansible.builtin.copy) can only show the
    secrets or, with C(diff) off, nothing.
  - The secrets of the new content are O(secrets). Those of the file on the host are not known, so an old line
    that no new line explains is masked after its first C(=) or C(:).
  - The task needs no C(no_log), because O(content) and O(secrets) are C(no_log) options and Ansible removes
    their values from anything the module returns.
author:
  - ecommerce platform team (!UNKNOWN)
extends_documentation_fragment:
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    description: In check mode it reports the change and the masked diff, and writes nothing.
  diff_mode:
    support: full
    description: The diff masks every secret value.
options:
  path:
    description: The file on the host.
    type: path
    required: true
  content:
    description: The whole content of the file.
    type: str
    required: true
  secrets:
    description: The secret values that O(content) holds.
    type: list
    elements: str
    required: true
'''

EXAMPLES = r'''
- name: Write the ZooKeeper login of the broker
  ecommerce.kafka.secret_file:
    path: /etc/kafka/zookeeper-client.jaas
    content: |
      Client {
        org.apache.zookeeper.server.auth.DigestLoginModule required
        username="kafka"
        password={{ zookeeper_password | ecommerce.kafka.jaas_quote }};
      };
    secrets:
      - "{{ zookeeper_password | ecommerce.kafka.jaas_quote }}"
    owner: root
    group: kafka
    mode: "0640"
'''

RETURN = r'''
path:
  description: The file.
  returned: always
  type: str
  sample: /etc/kafka/zookeeper-client.jaas
'''

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text

from ansible_collections.ecommerce.kafka.plugins.module_utils.secret_text import masked_diff


def read_current(path):
    try:
        with open(path, 'rb') as current:
            return to_text(current.read(), errors='surrogate_or_strict')
    except FileNotFoundError:
        return None


def write_atomically(module, path, content):
    directory = os.path.dirname(path) or '.'
    handle, temporary = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(path))
    try:
        # Nobody but the owner reads the file before its mode is set.
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, 'wb') as staged:
            staged.write(to_bytes(content))
        module.atomic_move(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', required=True),
            content=dict(type='str', required=True, no_log=True),
            secrets=dict(type='list', elements='str', required=True, no_log=True),
        ),
        add_file_common_args=True,
        supports_check_mode=True,
    )
    path, content = module.params['path'], module.params['content']
    if os.path.isdir(path):
        module.fail_json(msg='%s is a folder, not a file' % path, path=path)
    if not os.path.isdir(os.path.dirname(path) or '.'):
        module.fail_json(msg='the folder of %s does not exist' % path, path=path)

    current = read_current(path)
    content_changes = current != content
    diff = dict(masked_diff(current or '', content, module.params['secrets']),
                before_header=path if current is not None else '%s (absent)' % path, after_header=path)

    if content_changes and not module.check_mode:
        try:
            write_atomically(module, path, content)
        except OSError as exc:
            module.fail_json(msg='cannot write %s: %s' % (path, to_native(exc)), path=path)

    file_args = module.load_file_common_arguments(module.params)
    changed = content_changes
    if current is not None or not module.check_mode:
        changed = module.set_fs_attributes_if_different(file_args, changed, diff=None)
    module.exit_json(changed=changed, path=path, diff=diff if changed else {})


if __name__ == '__main__':
    main()
