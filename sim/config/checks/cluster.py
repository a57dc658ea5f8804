"""Rules of the cluster settings (:class:`sim.config.cluster.ClusterConfig`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sim.config.checks.common import require
from sim.config.cluster import LOCAL

if TYPE_CHECKING:
    from sim.config.cluster import ClusterConfig

# a Dask scheduler address: [protocol://]host:port, host a name, IPv4 or [IPv6]
ADDRESS = re.compile(
    r"^(?:(?:tcp|tls|ws|wss|ucx)://)?(?:[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\]):(\d+)$"
)
SHAPE = "must be empty, 'local' or a Dask scheduler address such as tcp://host:8786"


def check_cluster(c: ClusterConfig) -> None:
    """The address is empty, ``local`` or a scheduler's; a local cluster has workers."""
    address = c.address.strip()
    if address not in ("", LOCAL):
        found = ADDRESS.match(address)
        require(found is not None, "cluster.address", SHAPE, c.address)
        port = int(found.group(1))
        require(0 < port < 65536, "cluster.address", "must have a port in 1..65535", c.address)
    require(c.workers >= 1, "cluster.workers", "must be >= 1", c.workers)
