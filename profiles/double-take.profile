# fwsight port profile: Double-Take (the vendor's firewall guide).
# This file is the built-in `double-take` profile written out; copy it to make your own.
# Format: docs/profiles.md. A port named by two services belongs to the first one.

name        = double-take
description = Double-Take replication between a source and a target server

service   = Double-Take
protocols = tcp, udp
ports     = 6320, 6325-6326
need      = required
purpose   = the product's own communications, in both directions; the ports are configurable in the product, so the profile is too (the guide names no protocol: TCP and UDP watched)

service   = failover monitor
protocols = icmp-echo
need      = required
purpose   = the target pings the source to decide on failover (by default a few missed replies a few seconds apart trigger it); if ICMP is blocked, configure the product to monitor through its service instead

# WMI uses RPC: the endpoint mapper on TCP 135 names a dynamic port, which must pass too.
# It comes before File share so that TCP 135 is reported as the endpoint mapper.
service   = WMI / RPC
protocols = tcp
ports     = 135
rpc       = endpoint-mapper
need      = optional
purpose   = RPC endpoint mapper for WMI: push installs, DNS failover, Hyper-V WAN failover

# Both default ranges are watched; --rpc-range LO-HI replaces them with the registry's.
service   = WMI / RPC
protocols = tcp
ports     = 49152-65535
rpc       = dynamic
need      = optional
purpose   = dynamic RPC ports named by the endpoint mapper, current Windows default range (a range set in the registry: --rpc-range)

service   = WMI / RPC
protocols = tcp
ports     = 1025-5000
rpc       = dynamic
need      = optional
purpose   = dynamic RPC ports named by the endpoint mapper, legacy Windows default range

service   = File share
protocols = tcp, udp
ports     = 135-139
need      = optional
purpose   = Microsoft File Share, for push installs

service   = Directory
protocols = tcp, udp
ports     = 445
need      = optional
purpose   = Microsoft Directory, for push installs

service   = ESX
protocols = tcp
ports     = 443
need      = optional
purpose   = only with VirtualCenter or ESX hosts
