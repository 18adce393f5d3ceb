# fwsight port profile: an example of your own. Use it with
#   fwsight analyze --profile profiles/example-custom.profile capture.pcap
# Format: docs/profiles.md.

name        = example-custom
description = Double-Take on non-default ports, with RPC fixed by the registry

service   = Double-Take
protocols = tcp, udp
ports     = 7320, 7325-7326
purpose   = the product's own communications, moved to 7320 and 7325-7326 in its settings

service   = failover monitor
protocols = icmp-echo
direction = to-source
purpose   = the target pings the source to decide on failover

service   = WMI / RPC
protocols = tcp
ports     = 135
rpc       = endpoint-mapper
need      = optional
purpose   = RPC endpoint mapper for WMI: push installs, DNS failover

service   = WMI / RPC
protocols = tcp
ports     = 5000-5100
rpc       = dynamic
need      = optional
purpose   = dynamic RPC ports, range set in the registry (KB 154596)
