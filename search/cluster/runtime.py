"""Connecting to a Ray cluster, and starting a local multi-node one (tests, benchmarks).

Ray's usage reporting is turned off before Ray is imported. A cluster on this machine
(a loopback address) is joined as 127.0.0.1: Ray would otherwise replace a loopback address by
the machine's network address, and talk to itself through the network interface.
"""
from __future__ import annotations

import ipaddress
import os
import socket

NAMESPACE = "liner"
# Each node's shared-memory object store: queries and results are small (a few hundred KB at
# most), and Ray's floor is 75 MiB.
OBJECT_STORE_BYTES = 80 * 1024 * 1024
LOOPBACK = "127.0.0.1"


class ClusterUnavailableError(Exception):
    """Ray is not installed, or the cluster cannot be reached."""


def prepare_environment(local: bool) -> None:
    """Set what Ray reads from the environment when it is imported."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if local:
        # Ray's get_node_ip_address returns the loopback address only when "clusters" are off
        # (its setting for a laptop); the nodes themselves are told --node-ip-address=127.0.0.1.
        os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"


def is_loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def connect(address: str):
    """Join the cluster at `address` (host:port of its head) as a driver; the `ray` module.

    :raise ClusterUnavailableError: Ray is missing or the cluster does not answer.
    """
    local = is_loopback(address)
    prepare_environment(local)
    try:
        import ray
    except ImportError:
        raise ClusterUnavailableError("Ray is not installed: pip install 'liner[cluster]'") from None
    if not _reachable(address):
        raise ClusterUnavailableError(f"no Ray cluster answers at {address}: start one with "
                                      "`ray start --head` (docs/cluster.md)")
    if ray.is_initialized():  # joined already (a server's second engine, the tests)
        return ray
    options = {"_node_ip_address": LOOPBACK} if local else {}
    ray.init(address=address, namespace=NAMESPACE, log_to_driver=False, logging_level="WARNING", **options)
    return ray


def _reachable(address: str, timeout: float = 3.0) -> bool:
    """Whether the head's port accepts a connection (Ray itself would retry for a minute)."""
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]") or LOOPBACK, int(port)), timeout=timeout):
            return True
    except (OSError, ValueError):
        return False


def start_local_cluster(nodes: int = 3, cpus_per_node: int = 1):
    """A real multi-node Ray cluster on this machine (one raylet per node), bound to 127.0.0.1,
    without a dashboard; the driver (this process) joined to it. Shut it down with
    `stop_local_cluster`."""
    prepare_environment(local=True)
    import ray
    from ray.cluster_utils import Cluster

    common = {"num_cpus": cpus_per_node, "node_ip_address": LOOPBACK, "object_store_memory": OBJECT_STORE_BYTES}
    cluster = Cluster(initialize_head=True, head_node_args={**common, "include_dashboard": False})
    for _ in range(nodes - 1):
        cluster.add_node(**common)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, namespace=NAMESPACE, log_to_driver=False, logging_level="WARNING",
             _node_ip_address=LOOPBACK)
    return cluster


def add_local_node(cluster, cpus: int = 1):
    node = cluster.add_node(num_cpus=cpus, node_ip_address=LOOPBACK, object_store_memory=OBJECT_STORE_BYTES)
    cluster.wait_for_nodes()
    return node


def stop_local_cluster(cluster) -> None:
    import ray

    ray.shutdown()
    cluster.shutdown()
