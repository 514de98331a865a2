# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecommerce platform team
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Must agree with kafka_wait_argument_spec() in module_utils/kafka.py (validate-modules compares them).
    # What is waited for differs by module, so each module's description says it.
    DOCUMENTATION = r'''
options:
  wait:
    description:
      - Poll the cluster until the condition named in the module's description holds, then return.
      - Unreachable brokers count as not ready yet, so a cluster that is restarting is waited for.
      - Fails after O(wait_timeout) seconds with what is still wrong, and returns what it last read.
    type: bool
    default: false
  wait_timeout:
    description:
      - With O(wait), seconds of wall-clock time before giving up, requests included; each request's timeout is
        cut to the time left.
    type: int
    default: 300
  wait_sleep:
    description:
      - With O(wait), seconds between two reads of the cluster.
    type: int
    default: 2
'''
