#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: kafka_acl
short_description: Grant and revoke Kafka ACLs, one binding or a list per task
version_added: 0.1.0
description:
  - Declarative replacement for C(kafka-acls --add) and C(kafka-acls --remove). Safe to re-run; a run that finds
    every binding as declared reports no change.
  - A binding allows or denies one principal one operation on one resource (a topic, a consumer group, the cluster
    or a transactional id, by literal name or by prefix), from one host or from any.
  - Manages one binding with the top-level options, or a list with O(bindings). A list is read, planned and applied
    with one request per phase for all its bindings (C(DescribeAcls), C(CreateAcls), C(DeleteAcls)).
  - With O(purge), the bindings of the task's principals that the task does not list are deleted, so the task
    holds the whole of those principals' rights.
  - Every binding is checked before anything is sent (principal, host, operation, permission, resource type and
    name, pattern type, and whether the operation applies to the resource type), and so are the rights of the
    connecting principal (C(DESCRIBE) and C(ALTER) on the cluster) and the brokers' authorizer. One problem fails
    the task with nothing changed.
  - New bindings are created before old ones are deleted, so a binding that moves is never missing in between.
author:
  - ecommerce platform team (!UNKNOWN)
extends_documentation_fragment:
  - ecommerce.kafka.connection
attributes:
  check_mode:
    support: full
    description:
      - Returns the same plan, RV(ignore:changed) and bindings as a real run, and changes nothing. The checks of
        the bindings, of the authorizer and of the connecting principal's rights run in check mode too.
  diff_mode:
    support: full
    description:
      - Shows the bindings of the task's principals before and after, one readable line each.
  action_group:
    support: full
    description: Connection options can be set once for every module of the collection.
    membership:
      - ecommerce.kafka.kafka
options:
  bindings:
    description:
      - A list of bindings, each a dictionary with the keys of the single-binding form.
      - In an entry, a key that is not set takes the value of the top-level option of the same name.
      - Omitted, the top-level options are the one binding to manage.
      - The same binding listed twice with the same O(bindings[].state) counts once; with both states it is an error.
    type: list
    elements: dict
    suboptions:
      principal:
        description: As the top-level O(principal).
        type: str
      host:
        description: As the top-level O(host).
        type: str
      operation:
        description: As the top-level O(operation).
        type: str
      permission:
        description: As the top-level O(permission).
        type: str
      resource_type:
        description: As the top-level O(resource_type).
        type: str
      resource_name:
        description: As the top-level O(resource_name).
        type: str
      pattern_type:
        description: As the top-level O(pattern_type).
        type: str
      state:
        description: As the top-level O(state).
        type: str
        choices: [present, absent]
  principal:
    description:
      - The principal, C(TYPE:NAME), as the brokers name it; C(User:NAME) for a SASL user, C(User:CN=...) for a TLS
        client certificate, C(User:*) for every user. The type is case-sensitive.
      - With O(bindings), the principal of the entries that do not name one. With O(purge), its bindings are
        purged too, even when no entry names it.
    type: str
  host:
    description:
      - The client address the binding applies to, V(*) for any. Kafka compares it with the client's IP address,
        so it is V(*) or an IP address, never a host name.
    type: str
    default: '*'
  operation:
    description:
      - The operation. Case, V(_) and V(-) do not matter, so V(IdempotentWrite), V(idempotent_write) and
        V(IDEMPOTENT_WRITE) are the same.
      - A topic takes V(ALL), V(READ), V(WRITE), V(CREATE), V(DELETE), V(ALTER), V(DESCRIBE), V(DESCRIBE_CONFIGS)
        and V(ALTER_CONFIGS).
      - A group takes V(ALL), V(READ), V(DESCRIBE) and V(DELETE).
      - The cluster takes V(ALL), V(CREATE), V(ALTER), V(DESCRIBE), V(CLUSTER_ACTION), V(DESCRIBE_CONFIGS),
        V(ALTER_CONFIGS) and V(IDEMPOTENT_WRITE).
      - A transactional id takes V(ALL), V(DESCRIBE) and V(WRITE).
      - Required for each binding.
    type: str
  permission:
    description:
      - V(ALLOW) or V(DENY); the case does not matter. A V(DENY) binding wins over every V(ALLOW).
    type: str
    default: ALLOW
  resource_type:
    description:
      - V(TOPIC), V(GROUP) (a consumer group), V(CLUSTER) or V(TRANSACTIONAL_ID); case, V(_) and V(-) do not matter.
      - Required for each binding.
    type: str
  resource_name:
    description:
      - The name of the topic, group or transactional id, or with O(pattern_type=PREFIXED) the prefix of the names.
        V(*) with O(pattern_type=LITERAL) is every resource of the type.
      - The cluster's name is V(kafka-cluster), which is also the default for O(resource_type=CLUSTER). Required
        for the other types.
    type: str
  pattern_type:
    description:
      - V(LITERAL) matches the resource named O(resource_name) (or every one, for V(*)); V(PREFIXED) every resource
        whose name starts with O(resource_name). The case does not matter.
    type: str
    default: LITERAL
  state:
    description:
      - V(present) creates the bindings that do not exist.
      - V(absent) deletes the bindings that exist. A binding that does not exist is not an error.
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - Also delete every binding of the task's principals that the task does not list as present, on any resource
        and from any host. The bindings of other principals are never touched.
      - The task's principals are those of its bindings and the top-level O(principal).
    type: bool
    default: false
notes:
  - The module runs where confluent-kafka is installed, usually the controller (C(delegate_to) an admin host).
  - The connecting principal needs C(DESCRIBE) on the cluster to read the ACLs and C(ALTER) to change them; a super
    user (C(super.users)) has both. The brokers need an authorizer (C(authorizer.class.name)).
  - librdkafka reports a refused C(DescribeAcls) as an empty list, so the module reads the connecting principal's
    rights on the cluster and the brokers' C(authorizer.class.name) before it trusts the ACLs it reads.
  - Bindings of kinds librdkafka cannot read (on delegation tokens or users) are left as they are, with a warning.
seealso:
  - name: Kafka authorization and ACLs
    description: Operations, resources and how the authorizer evaluates bindings.
    link: https://kafka.apache.org/documentation/#security_authz
'''

EXAMPLES = r'''
# kafka-acls --add --allow-principal User:event-ingestion --operation Write --operation Describe --topic raw-events
- name: Let the event ingestion service write raw-events
  ecommerce.kafka.kafka_acl:
    bootstrap_servers: broker1:9093
    principal: User:event-ingestion
    resource_type: TOPIC
    resource_name: raw-events
    bindings:
      - operation: WRITE
      - operation: DESCRIBE

- name: The fraud scorer holds exactly these rights, and loses any other it was given by hand
  ecommerce.kafka.kafka_acl:
    bootstrap_servers: broker1:9093
    principal: User:fraud-scoring
    purge: true
    bindings:
      - {resource_type: TOPIC, resource_name: raw-events, operation: READ}
      - {resource_type: TOPIC, resource_name: raw-events, operation: DESCRIBE}
      - {resource_type: TOPIC, resource_name: fraud-scores, operation: WRITE}
      - {resource_type: TOPIC, resource_name: fraud-scores, operation: DESCRIBE}
      - {resource_type: GROUP, resource_name: fraud-scoring, operation: READ}
      - {resource_type: CLUSTER, operation: IDEMPOTENT_WRITE}

# kafka-acls --add --allow-principal User:analytics --operation Read --topic metrics- --resource-pattern-type prefixed
- name: Read every topic whose name starts with metrics-
  ecommerce.kafka.kafka_acl:
    bootstrap_servers: broker1:9093
    principal: User:analytics
    operation: READ
    resource_type: TOPIC
    resource_name: metrics-
    pattern_type: PREFIXED

# kafka-acls --remove --allow-principal User:legacy-app --operation Write --topic raw-events
- name: Revoke a grant
  ecommerce.kafka.kafka_acl:
    bootstrap_servers: broker1:9093
    principal: User:legacy-app
    operation: WRITE
    resource_type: TOPIC
    resource_name: raw-events
    state: absent

- name: Remove every binding of a retired principal
  ecommerce.kafka.kafka_acl:
    bootstrap_servers: broker1:9093
    principal: User:retired-app
    bindings: []
    purge: true

- name: Connection options once for every module of the collection, over SASL_SSL
  module_defaults:
    group/ecommerce.kafka.kafka:
      bootstrap_servers: broker1:9093
      security_protocol: SASL_SSL
      sasl_mechanism: SCRAM-SHA-512
      sasl_username: platform-admin
      sasl_password: "{{ vault_kafka_admin_password }}"
      ssl_ca_location: /etc/pki/kafka/ca.pem
  block:
    - name: Preview what the ACLs of the recommendations service would change
      ecommerce.kafka.kafka_acl:
        principal: User:recommendations
        purge: true
        bindings: "{{ recommendations_acls }}"
      check_mode: true
      diff: true
      register: acl_plan
'''

RETURN = r'''
bindings:
  description:
    - Every binding of the task's principals after the run (in check mode, as it would be), sorted by principal
      and resource. Each has the keys of a O(bindings) entry, with Kafka's names in upper case.
  returned: always
  type: list
  elements: dict
  contains:
    principal:
      description: The principal.
      returned: always
      type: str
      sample: User:event-ingestion
    host:
      description: The client address, V(*) for any.
      returned: always
      type: str
      sample: '*'
    operation:
      description: The operation.
      returned: always
      type: str
      sample: WRITE
    permission:
      description: V(ALLOW) or V(DENY).
      returned: always
      type: str
      sample: ALLOW
    resource_type:
      description: V(TOPIC), V(GROUP), V(CLUSTER) or V(TRANSACTIONAL_ID).
      returned: always
      type: str
      sample: TOPIC
    resource_name:
      description: The resource's name or prefix.
      returned: always
      type: str
      sample: raw-events
    pattern_type:
      description: V(LITERAL) or V(PREFIXED).
      returned: always
      type: str
      sample: LITERAL
created:
  description: The bindings created (in check mode, that would be), one readable line each.
  returned: always
  type: list
  elements: str
  sample: ["User:event-ingestion ALLOW WRITE on TOPIC raw-events (LITERAL) from host *"]
deleted:
  description: The bindings deleted (in check mode, that would be), including those of O(purge).
  returned: always
  type: list
  elements: str
  sample: ["User:legacy-app ALLOW WRITE on TOPIC raw-events (LITERAL) from host *"]
diff:
  description: With C(--diff), the bindings of the task's principals before and after, one readable line each.
  returned: when diff mode is on
  type: dict
  sample:
    before: []
    after: ["User:event-ingestion ALLOW DESCRIBE on TOPIC raw-events (LITERAL) from host *",
            "User:event-ingestion ALLOW WRITE on TOPIC raw-events (LITERAL) from host *"]
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ecommerce.kafka.plugins.module_utils.acl import (
    AclChanges, read_and_plan_acls, wanted_bindings)
from ansible_collections.ecommerce.kafka.plugins.module_utils.kafka import (
    KAFKA_REQUIRED_TOGETHER, KafkaConnection, KafkaModuleError, kafka_common_argument_spec)
from ansible_collections.ecommerce.kafka.plugins.module_utils.topic import join_errors


def argument_spec():
    spec = kafka_common_argument_spec()
    spec.update(
        bindings=dict(type='list', elements='dict', options=dict(
            principal=dict(type='str'),
            host=dict(type='str'),
            operation=dict(type='str'),
            permission=dict(type='str'),
            resource_type=dict(type='str'),
            resource_name=dict(type='str'),
            pattern_type=dict(type='str'),
            state=dict(type='str', choices=['present', 'absent']),
        )),
        principal=dict(type='str'),
        host=dict(type='str', default='*'),
        operation=dict(type='str'),
        permission=dict(type='str', default='ALLOW'),
        resource_type=dict(type='str'),
        resource_name=dict(type='str'),
        pattern_type=dict(type='str', default='LITERAL'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        purge=dict(type='bool', default=False),
    )
    return spec


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        required_one_of=[('operation', 'bindings')],
        required_together=KAFKA_REQUIRED_TOGETHER,
        supports_check_mode=True,
    )
    wanted, principals, problems = wanted_bindings(module.params)
    if problems:
        module.fail_json(msg=join_errors(problems))

    connection = KafkaConnection(module)
    plan, changes = None, None
    try:
        plan = read_and_plan_acls(connection, wanted, principals, module.params['purge'])
        changes = AclChanges(connection, plan)
        if not module.check_mode:
            changes.apply()
    except KafkaModuleError as exc:
        module.fail_json(msg=str(exc), changed=bool(changes and changes.applied))

    for warning in plan.warnings:
        module.warn(warning)
    result = dict(changed=plan.changed, **plan.result())
    if module._diff:
        result['diff'] = plan.diff()
    module.exit_json(**result)


if __name__ == '__main__':
    main()
