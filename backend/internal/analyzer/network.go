package analyzer

import (
	"fmt"
	"net/netip"
	"strings"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

var networkChecks = []check{
	{
		// Cisco and Zabbix treat any sustained interface error rate as a
		// cabling, duplex or driver fault; 0.01 % of packets is already far
		// above a healthy link's error rate (< 1e-6), 1 % breaks TCP
		// throughput. At least 100 errors must be counted, to ignore the few
		// errors a link shows when it comes up.
		info: CheckInfo{ID: "network.interface_errors", Domain: Network, Title: "Interface errors",
			Unit: "% of estimated packets", Compare: ">=", Warn: f64(0.01), Fail: f64(1),
			WarnSeverity: Low, Severity: Medium,
			Source:      "Cisco interface troubleshooting (input/CRC errors); Zabbix network template (High error rate); min. 100 errors",
			Description: "Receive and transmit errors since boot against the packets an interface moved (bytes / 1,000)."},
		run: checkInterfaceErrors,
	},
	{
		// A wired link below 1 Gbit/s on current hardware is almost always a
		// bad cable, a failed auto-negotiation or an old switch port.
		info: CheckInfo{ID: "network.link_speed", Domain: Network, Title: "Wired link speed",
			Unit: "Mbit/s", Compare: "<", Warn: f64(1000),
			WarnSeverity: Low, Severity: Medium,
			Source:      "IEEE 802.3ab (1000BASE-T as the baseline for wired clients); Wegweiser default",
			Description: "Negotiated speed of every wired physical interface that is up."},
		run: checkLinkSpeed,
	},
	{
		// Without a default gateway the device reaches nothing beyond its
		// subnet (no updates, no cloud services).
		info: CheckInfo{ID: "network.default_gateway", Domain: Network, Title: "Default gateway",
			WarnSeverity: Medium, Severity: Medium,
			Source:      "RFC 1122 (host routing requirements); Wegweiser default",
			Description: "Whether the device has a default gateway."},
		run: checkGateway,
	},
	{
		// Without DNS servers name resolution fails; a single server is a
		// single point of failure (Microsoft: configure at least two).
		info: CheckInfo{ID: "network.dns_servers", Domain: Network, Title: "DNS servers",
			WarnSeverity: Medium, Severity: Medium,
			Source:      "Microsoft DNS client guidance (configure at least two DNS servers)",
			Description: "Whether the device has DNS servers configured."},
		run: checkDNS,
	},
	{
		// RFC 3927: an IPv4 link-local address (169.254/16) means DHCP failed.
		info: CheckInfo{ID: "network.link_local_address", Domain: Network, Title: "Self-assigned IP address",
			WarnSeverity: Low, Severity: Medium,
			Source:      "RFC 3927 (IPv4 link-local addresses are used when no DHCP server answers)",
			Description: "Up interfaces that only have a self-assigned 169.254.x.x address."},
		run: checkLinkLocal,
	},
}

var virtualIfPrefixes = []string{"lo", "docker", "veth", "br-", "virbr", "vethernet", "utun", "awdl", "llw", "bridge", "tun", "tap",
	"wg", "tailscale", "zt", "vmnet", "vboxnet", "loopback", "isatap", "teredo", "anpi", "gif", "stf", "cni", "flannel",
	"cali", "kube", "ip6tnl", "sit", "bluetooth", "vmware", "virtualbox", "hyper-v", "npcap", "wan miniport"}

// physical reports whether an interface looks like a physical adapter.
func physical(i *agentv1.NetworkInterface) bool {
	n := strings.ToLower(i.GetName())
	for _, p := range virtualIfPrefixes {
		if strings.HasPrefix(n, p) {
			return false
		}
	}
	return true
}

func checkInterfaceErrors(e *env) {
	n := 0
	for _, i := range e.s.GetNetwork().GetInterfaces() {
		if !i.GetUp() || !physical(i) {
			continue
		}
		n++
		errs := i.GetRxErrors() + i.GetTxErrors()
		bytes := i.GetRxBytes() + i.GetTxBytes()
		packets := max(bytes/1000, 1)
		pct := float64(errs) * 100 / float64(packets)
		if errs < 100 {
			pct = 0 // below the noise floor
		}
		src := fmt.Sprintf("network.interfaces[%s]", i.GetName())
		e.graded(pct, Finding{
			Subject: "interface " + i.GetName(),
			Title:   fmt.Sprintf("Interface %s: %s", i.GetName(), plural(errs, "error", "errors")),
			Detail: fmt.Sprintf("%s counted %d receive and %d transmit errors since boot over %s moved.", i.GetName(),
				i.GetRxErrors(), i.GetTxErrors(), fmtGiB(bytes)),
			Evidence: []Evidence{
				{"receive errors", fmt.Sprint(i.GetRxErrors()), src + ".rx_errors"},
				{"transmit errors", fmt.Sprint(i.GetTxErrors()), src + ".tx_errors"},
				{"error rate", fmt.Sprintf("%.4f %% of ~%d packets", float64(errs)*100/float64(packets), packets), src + ".rx_bytes+tx_bytes"},
			},
			Recommendation: "Replace the patch cable, check the switch port for errors and duplex mismatch, and update the network driver.",
		})
	}
	if n == 0 {
		e.unknown("", "No physical interface is up in the snapshot.")
	}
}

func checkLinkSpeed(e *env) {
	if e.s.GetHardware().GetVirtual() {
		e.unknown("", "Virtual machine: virtual adapters report nominal speeds.")
		return
	}
	n := 0
	for _, i := range e.s.GetNetwork().GetInterfaces() {
		if !i.GetUp() || i.GetWireless() || !physical(i) || i.GetSpeedMbps() <= 0 {
			continue
		}
		n++
		e.graded(float64(i.GetSpeedMbps()), Finding{
			Subject:        "interface " + i.GetName(),
			Title:          fmt.Sprintf("Interface %s links at %d Mbit/s", i.GetName(), i.GetSpeedMbps()),
			Detail:         fmt.Sprintf("The wired interface %s negotiated %d Mbit/s.", i.GetName(), i.GetSpeedMbps()),
			Evidence:       []Evidence{{"link speed", fmt.Sprintf("%d Mbit/s", i.GetSpeedMbps()), fmt.Sprintf("network.interfaces[%s].speed_mbps", i.GetName())}},
			Recommendation: "Check the cable (Cat5e or better, all eight wires), the switch port and auto-negotiation settings.",
		})
	}
	if n == 0 {
		e.unknown("", "No wired interface with a known speed is up.")
	}
}

func checkGateway(e *env) {
	nw := e.s.GetNetwork()
	if nw == nil || len(nw.GetInterfaces()) == 0 {
		e.unknown("", "No network data in the snapshot.")
		return
	}
	gw := nw.GetDefaultGateways()
	f := Finding{Evidence: []Evidence{{"default gateways", orNone(strings.Join(gw, ", ")), "network.default_gateways"}}}
	if len(gw) == 0 {
		f.Status, f.Title = Warn, "No default gateway"
		f.Detail = "The device has no default gateway and can only reach its local subnet."
		f.Recommendation = "Check the DHCP scope or the static IP configuration of the active adapter."
	} else {
		f.Status, f.Title, f.Detail = Pass, "Default gateway configured", "The device has a default gateway."
	}
	e.add(f)
}

func checkDNS(e *env) {
	nw := e.s.GetNetwork()
	if nw == nil || len(nw.GetInterfaces()) == 0 {
		e.unknown("", "No network data in the snapshot.")
		return
	}
	dns := nw.GetDnsServers()
	f := Finding{Evidence: []Evidence{{"DNS servers", orNone(strings.Join(dns, ", ")), "network.dns_servers"}}}
	switch len(dns) {
	case 0:
		f.Status, f.Title = Warn, "No DNS servers"
		f.Detail = "The device has no DNS servers; name resolution fails."
		f.Recommendation = "Check the DHCP scope's DNS option or set DNS servers on the active adapter."
	default:
		f.Status, f.Title = Pass, "DNS servers configured"
		f.Detail = fmt.Sprintf("The device uses %s.", plural(int64(len(dns)), "DNS server", "DNS servers"))
	}
	e.add(f)
}

var linkLocal = netip.MustParsePrefix("169.254.0.0/16")

func checkLinkLocal(e *env) {
	n := 0
	for _, i := range e.s.GetNetwork().GetInterfaces() {
		if !i.GetUp() || !physical(i) {
			continue
		}
		var v4, ll []string
		for _, a := range i.GetAddresses() {
			p, err := netip.ParsePrefix(a)
			var addr netip.Addr
			if err == nil {
				addr = p.Addr()
			} else if addr, err = netip.ParseAddr(a); err != nil {
				continue
			}
			if !addr.Is4() {
				continue
			}
			v4 = append(v4, a)
			if linkLocal.Contains(addr) {
				ll = append(ll, a)
			}
		}
		if len(v4) == 0 {
			continue
		}
		n++
		f := Finding{Subject: "interface " + i.GetName(),
			Evidence: []Evidence{{"IPv4 addresses", strings.Join(v4, ", "), fmt.Sprintf("network.interfaces[%s].addresses", i.GetName())}}}
		if len(ll) == len(v4) {
			f.Status, f.Title = Warn, "Interface "+i.GetName()+" has only a self-assigned address"
			f.Detail = "The interface holds only a 169.254.x.x address: no DHCP server answered."
			f.Recommendation = "Check the DHCP server and scope, the switch port's VLAN and the cable."
		} else {
			f.Status, f.Title, f.Detail = Pass, "Interface "+i.GetName()+" has a routable IPv4 address", "The interface has a DHCP or static address."
		}
		e.add(f)
	}
	if n == 0 {
		e.unknown("", "No up interface with an IPv4 address.")
	}
}
