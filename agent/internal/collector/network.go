package collector

import (
	"context"
	"net"
	"strings"

	psnet "github.com/shirou/gopsutil/v4/net"
	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// gopsutilInterfaces lists network interfaces with addresses (from the
// standard library, which also knows whether the link is running) and
// traffic counters (from gopsutil). Loopback, and virtual interfaces that
// are down without addresses, are left out.
func gopsutilInterfaces(ctx context.Context) (*agentv1.Network, error) {
	n := &agentv1.Network{}
	ifs, err := net.Interfaces()
	if err != nil {
		return n, err
	}
	counters := map[string]psnet.IOCountersStat{}
	if cs, err := psnet.IOCountersWithContext(ctx, true); err == nil {
		for _, c := range cs {
			counters[c.Name] = c
		}
	}
	for _, i := range ifs {
		if i.Flags&net.FlagLoopback != 0 {
			continue
		}
		ni := &agentv1.NetworkInterface{
			Name:       i.Name,
			MacAddress: i.HardwareAddr.String(),
			Mtu:        int32(i.MTU),
			Up:         i.Flags&net.FlagUp != 0 && i.Flags&net.FlagRunning != 0,
		}
		if addrs, err := i.Addrs(); err == nil {
			for _, a := range addrs {
				ni.Addresses = append(ni.Addresses, a.String())
			}
		}
		if len(ni.Addresses) == 0 && !ni.Up && isVirtualInterface(i.Name) {
			continue
		}
		if c, ok := counters[i.Name]; ok {
			ni.RxBytes, ni.TxBytes = int64(c.BytesRecv), int64(c.BytesSent)
			ni.RxErrors, ni.TxErrors = int64(c.Errin), int64(c.Errout)
		}
		n.Interfaces = append(n.Interfaces, ni)
	}
	return n, nil
}

// isVirtualInterface recognises bridges, tunnels and container veths.
func isVirtualInterface(name string) bool {
	for _, p := range []string{"veth", "docker", "br-", "virbr", "vnet", "tun", "tap", "utun", "awdl", "llw", "bridge", "anpi", "ap1", "gif", "stf", "isatap", "Teredo"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
