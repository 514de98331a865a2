#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: kafka_user
short_description: Create, update and delete Kafka SASL/SCRAM users, one or a list per task
version_added: 0.1.0
description:
  - Declarative replacement for C(kafka-configs --alter --add-config 'SCRAM-SHA-512=[password=...]' --entity-type
    users), through the brokers' AdminClient API (C(DescribeUserScramCredentials), C(AlterUserScramCredentials)), so
    no password is ever on a command line. Safe to re-run.
  - Manages one user with the top-level options, or a list with O(users), read with one request and changed with
    one request for the whole list.
  - The brokers never give a password back. O(update_password) says what a re-run does with an existing
    credential; with V(always), over a SASL connection, the module tries the password by logging in as the user,
    and sets it again only when that login is refused.
  - Every user is checked before anything is sent (name, mechanisms, iterations, password). One problem fails the
    task with nothing changed.
author:
  - ecommerce platform team (!UNKNOWN)
extends_documentation_fragment:
  - ecommerce.kafka.connection
attributes:
  check_mode:
    support: full
    description:
      - Returns the same plan, RV(ignore:changed) and users as a real run, and changes nothing. The login tries of
        O(update_password=always) run in check mode too.
  diff_mode:
    support: full
    description:
      - Shows the credentials of the task's users before and after, one line each (user, mechanism, iterations),
        and marks those whose password is set again. Never a password.
  action_group:
    support: full
    description: Connection options can be set once for every module of the collection.
    membership:
      - ecommerce.kafka.kafka
options:
  users:
    description:
      - A list of users, each a dictionary with the keys of the single-user form.
      - In an entry, a key that is not set takes the value of the top-level option of the same name.
    type: list
    elements: dict
    suboptions:
      name:
        description: As the top-level O(name).
        type: str
        required: true
      password:
        description: As the top-level O(password).
        type: str
      mechanisms:
        description: As the top-level O(mechanisms).
        type: list
        elements: str
      iterations:
        description: As the top-level O(iterations).
        type: int
      update_password:
        description: As the top-level O(update_password).
        type: str
        choices: [always, on_create]
      state:
        description: As the top-level O(state).
        type: str
        choices: [present, absent]
  name:
    description:
      - The user name, as a SASL client gives it and as the principal C(User:NAME) of its ACLs.
    type: str
  password:
    description:
      - The password. Required with O(state=present). Never returned, logged or shown in C(--diff).
    type: str
  mechanisms:
    description:
      - The SCRAM mechanisms the user can log in with, V(SCRAM-SHA-256) and V(SCRAM-SHA-512). A credential of another
        mechanism the user already has is left as it is.
    type: list
    elements: str
    default: [SCRAM-SHA-512]
  iterations:
    description:
      - The salting iterations of new credentials, 4096 to 16384.
      - An existing credential with other iterations is rewritten (with O(password)) only with
        O(update_password=always); with V(on_create) the module warns and leaves it.
    type: int
    default: 4096
  update_password:
    description:
      - V(on_create) sets the password of a credential the user does not have, and never changes an existing one.
      - V(always) makes the password O(password). Over a SASL connection (O(security_protocol) V(SASL_PLAINTEXT) or
        V(SASL_SSL)), the module logs in as the user with it and sets it only when that login is refused, so a
        re-run reports no change. Over another connection it cannot try, and sets it at every run.
    type: str
    choices: [always, on_create]
    default: on_create
  state:
    description:
      - V(present) creates the credentials of O(mechanisms) that the user does not have.
      - V(absent) deletes every SCRAM credential of the user. A user that has none is not an error.
    type: str
    choices: [present, absent]
    default: present
notes:
  - The module runs where confluent-kafka is installed, usually the controller (C(delegate_to) an admin host).
  - The connecting principal needs C(ALTER) on the cluster to change credentials and C(DESCRIBE) to read them; a super
    user (C(super.users)) has both.
  - The brokers spread a new credential through ZooKeeper (or the KRaft metadata log), so it may take a moment before
    every broker accepts it.
seealso:
  - module: ecommerce.kafka.kafka_acl
  - name: SASL/SCRAM in Kafka
    description: How the brokers store and check SCRAM credentials.
    link: https://kafka.apache.org/documentation/#security_sasl_scram
'''

EXAMPLES = r'''
# kafka-configs --alter --add-config 'SCRAM-SHA-512=[password=...]' --entity-type users --entity-name event-ingestion
- name: The event ingestion service's login
  ecommerce.kafka.kafka_user:
    bootstrap_servers: broker1:9092
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: platform-admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_ca_location: /etc/pki/kafka/ca.pem
    name: event-ingestion
    password: "{{ vault_event_ingestion_password }}"

- name: Every application's login, each password kept as the vault has it
  ecommerce.kafka.kafka_user:
    update_password: always
    users:
      - {name: fraud-scoring, password: "{{ vault_fraud_scoring_password }}"}
      - {name: recommendations, password: "{{ vault_recommendations_password }}",
         mechanisms: [SCRAM-SHA-256, SCRAM-SHA-512]}

# kafka-configs --alter --delete-config 'SCRAM-SHA-512' --entity-type users --entity-name legacy-app
- name: Retire a user
  ecommerce.kafka.kafka_user:
    name: legacy-app
    state: absent
'''

RETURN = r'''
users:
  description: The SCRAM credentials of the task's users after the run (in check mode, as they would be), by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The user.
      returned: always
      type: str
      sample: event-ingestion
    credentials:
      description: Its credentials, each with V(mechanism) and V(iterations).
      returned: always
      type: list
      elements: dict
      sample: [{mechanism: SCRAM-SHA-512, iterations: 4096}]
created:
  description: The credentials created (in check mode, that would be), one line each.
  returned: always
  type: list
  elements: str
  sample: ["event-ingestion SCRAM-SHA-512 (4096 iterations)"]
updated:
  description: The existing credentials set again, and why.
  returned: always
  type: list
  elements: str
  sample: ["fraud-scoring SCRAM-SHA-512 (4096 iterations): new password"]
deleted:
  description: The credentials deleted.
  returned: always
  type: list
  elements: str
  sample: ["legacy-app SCRAM-SHA-512 (4096 iterations)"]
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import (
    KAFKA_REQUIRED_TOGETHER, KafkaConnection, KafkaModuleError, kafka_common_argument_spec)
from ansible_collections.ecommerce.kafka.plugins.module_utils.topic import join_errors
from ansible_collections.ecommerce.kafka.plugins.module_utils.user import (
    apply_plan, check_may_alter, check_specs, plan_users, read_cluster_rights, read_credentials, try_logins,
    user_specs)


def argument_spec():
    spec = kafka_common_argument_spec()
    spec.update(
        users=dict(type='list', elements='dict', options=dict(
            name=dict(type='str', required=True),
            password=dict(type='str', no_log=True),
            mechanisms=dict(type='list', elements='str'),
            iterations=dict(type='int'),
            update_password=dict(type='str', choices=['always', 'on_create'], no_log=False),
            state=dict(type='str', choices=['present', 'absent']),
        )),
        name=dict(type='str'),
        password=dict(type='str', no_log=True),
        mechanisms=dict(type='list', elements='str', default=['SCRAM-SHA-512']),
        iterations=dict(type='int', default=4096),
        update_password=dict(type='str', default='on_create', choices=['always', 'on_create'], no_log=False),
        state=dict(type='str', default='present', choices=['present', 'absent']),
    )
    return spec


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        required_one_of=[('name', 'users')],
        mutually_exclusive=[('name', 'users')],
        required_together=KAFKA_REQUIRED_TOGETHER,
        supports_check_mode=True,
    )
    wanted, problems = check_specs(user_specs(module.params))
    if problems:
        module.fail_json(msg=join_errors(problems))

    connection = KafkaConnection(module)
    plan = None
    try:
        rights = read_cluster_rights(connection, list(wanted))
        current = read_credentials(connection, list(wanted))
        plan = plan_users(wanted, current, try_logins(module.params, wanted, current))
        check_may_alter(rights, plan)
        if not module.check_mode:
            apply_plan(connection, plan, wanted)
    except KafkaModuleError as exc:
        module.fail_json(msg=str(exc), changed=getattr(exc, 'changed', False))
    for warning in plan.warnings:
        module.warn(warning)
    result = dict(changed=plan.changed, **plan.result())
    if module._diff:
        result['diff'] = plan.diff()
    module.exit_json(**result)


if __name__ == '__main__':
    main()
