package collector

// Parsers for Windows command output: the JSON of the embedded PowerShell
// scripts (scripts/inventory.ps1, scripts/updates.ps1), wevtutil XML and
// manage-bde. They are portable so that the tests run on every OS.

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

//go:embed scripts/inventory.ps1
var inventoryScript string

//go:embed scripts/updates.ps1
var updatesScript string

// inventorySectionsAll are the sections scripts/inventory.ps1 knows.
var inventorySectionsAll = []string{"os", "hardware", "storage", "network", "software", "services", "reboot", "security"}

// winInventory is the output of scripts/inventory.ps1.
type winInventory struct {
	OS *struct {
		Caption        string            `json:"Caption"`
		Version        string            `json:"Version"`
		BuildNumber    string            `json:"BuildNumber"`
		DisplayVersion string            `json:"DisplayVersion"`
		ReleaseID      string            `json:"ReleaseId"`
		UBR            flexInt           `json:"UBR"`
		OSArchitecture string            `json:"OSArchitecture"`
		ProductType    flexInt           `json:"ProductType"`
		LastBootUpTime string            `json:"LastBootUpTime"`
		CSName         string            `json:"CSName"`
		Domain         string            `json:"Domain"`
		PartOfDomain   flexBool          `json:"PartOfDomain"`
		LoggedOnUsers  oneOrMany[string] `json:"LoggedOnUsers"`
		TimeZone       string            `json:"TimeZone"`
	} `json:"os"`
	Hardware *struct {
		Manufacturer        string   `json:"Manufacturer"`
		Model               string   `json:"Model"`
		SystemFamily        string   `json:"SystemFamily"`
		TotalPhysicalMemory flexInt  `json:"TotalPhysicalMemory"`
		HypervisorPresent   flexBool `json:"HypervisorPresent"`
		BIOS                struct {
			Manufacturer      string `json:"Manufacturer"`
			SMBIOSBIOSVersion string `json:"SMBIOSBIOSVersion"`
			ReleaseDate       string `json:"ReleaseDate"`
			SerialNumber      string `json:"SerialNumber"`
		} `json:"BIOS"`
		Processors oneOrMany[struct {
			Name                      string  `json:"Name"`
			NumberOfCores             flexInt `json:"NumberOfCores"`
			NumberOfLogicalProcessors flexInt `json:"NumberOfLogicalProcessors"`
		}] `json:"Processors"`
		Gpus oneOrMany[struct {
			Name          string `json:"Name"`
			DriverVersion string `json:"DriverVersion"`
		}] `json:"Gpus"`
		Battery *struct {
			EstimatedChargeRemaining flexInt `json:"EstimatedChargeRemaining"`
			Status                   flexInt `json:"Status"`
			DesignCapacity           flexInt `json:"DesignCapacity"`
			FullChargeCapacity       flexInt `json:"FullChargeCapacity"`
			CycleCount               flexInt `json:"CycleCount"`
		} `json:"Battery"`
	} `json:"hardware"`
	Storage *struct {
		SystemDrive string `json:"SystemDrive"`
		Volumes     oneOrMany[struct {
			DeviceID   string  `json:"DeviceID"`
			VolumeName string  `json:"VolumeName"`
			FileSystem string  `json:"FileSystem"`
			Size       flexInt `json:"Size"`
			FreeSpace  flexInt `json:"FreeSpace"`
		}] `json:"Volumes"`
		PhysicalDisks oneOrMany[struct {
			DeviceID              flexString `json:"DeviceId"`
			FriendlyName          string     `json:"FriendlyName"`
			SerialNumber          string     `json:"SerialNumber"`
			Size                  flexInt    `json:"Size"`
			MediaType             string     `json:"MediaType"`
			BusType               string     `json:"BusType"`
			HealthStatus          string     `json:"HealthStatus"`
			Temperature           flexInt    `json:"Temperature"`
			Wear                  flexInt    `json:"Wear"`
			PowerOnHours          flexInt    `json:"PowerOnHours"`
			ReadErrorsUncorrected flexInt    `json:"ReadErrorsUncorrected"`
		}] `json:"PhysicalDisks"`
		FailurePredicted oneOrMany[string]       `json:"FailurePredicted"`
		BitLocker        oneOrMany[winBitLocker] `json:"BitLocker"`
		StoragePools     oneOrMany[winSpace]     `json:"StoragePools"`
		VirtualDisks     oneOrMany[winSpace]     `json:"VirtualDisks"`
	} `json:"storage"`
	Network *struct {
		Adapters oneOrMany[struct {
			Name                 string  `json:"Name"`
			InterfaceDescription string  `json:"InterfaceDescription"`
			MacAddress           string  `json:"MacAddress"`
			LinkSpeedBps         flexInt `json:"LinkSpeedBps"`
			Status               string  `json:"Status"`
			PhysicalMediaType    string  `json:"PhysicalMediaType"`
		}] `json:"Adapters"`
		Gateways   oneOrMany[string] `json:"Gateways"`
		DNSServers oneOrMany[string] `json:"DnsServers"`
	} `json:"network"`
	Software oneOrMany[struct {
		DisplayName      string     `json:"DisplayName"`
		DisplayVersion   flexString `json:"DisplayVersion"`
		Publisher        string     `json:"Publisher"`
		InstallDate      flexString `json:"InstallDate"`
		WindowsInstaller flexInt    `json:"WindowsInstaller"`
		Scope            string     `json:"Scope"`
	}] `json:"software"`
	Services oneOrMany[struct {
		Name        string `json:"Name"`
		DisplayName string `json:"DisplayName"`
		Status      string `json:"Status"`
		StartType   string `json:"StartType"`
	}] `json:"services"`
	Reboot *struct {
		WindowsUpdate      flexBool `json:"WindowsUpdate"`
		ComponentServicing flexBool `json:"ComponentServicing"`
		PendingFileRename  flexBool `json:"PendingFileRename"`
		ComputerRename     flexBool `json:"ComputerRename"`
		UpdateExeVolatile  flexBool `json:"UpdateExeVolatile"`
	} `json:"reboot"`
	Security *struct {
		Firewall oneOrMany[struct {
			Name    string   `json:"Name"`
			Enabled flexBool `json:"Enabled"`
		}] `json:"Firewall"`
		AntiVirus oneOrMany[struct {
			DisplayName  string  `json:"displayName"`
			ProductState flexInt `json:"productState"`
			Timestamp    string  `json:"timestamp"`
		}] `json:"AntiVirus"`
		Defender *struct {
			AntivirusEnabled              flexBool `json:"AntivirusEnabled"`
			RealTimeProtectionEnabled     flexBool `json:"RealTimeProtectionEnabled"`
			AntivirusSignatureLastUpdated string   `json:"AntivirusSignatureLastUpdated"`
			AntivirusSignatureAge         flexInt  `json:"AntivirusSignatureAge"`
			AntivirusSignatureVersion     string   `json:"AntivirusSignatureVersion"`
		} `json:"Defender"`
		InactivityTimeoutSecs flexInt           `json:"InactivityTimeoutSecs"`
		LocalAdmins           oneOrMany[string] `json:"LocalAdmins"`
		SecureBoot            flexBool          `json:"SecureBoot"`
	} `json:"security"`
	Errors map[string]string `json:"errors"`
}

type winBitLocker struct {
	MountPoint           string  `json:"MountPoint"`
	VolumeStatus         string  `json:"VolumeStatus"`
	ProtectionStatus     string  `json:"ProtectionStatus"`
	EncryptionMethod     string  `json:"EncryptionMethod"`
	EncryptionPercentage flexInt `json:"EncryptionPercentage"`
}

// trimBOM drops a UTF-8 byte-order mark and surrounding space.
func trimBOM(b []byte) []byte {
	return bytes.TrimSpace(bytes.TrimPrefix(bytes.TrimSpace(b), []byte("\xef\xbb\xbf")))
}

func parseWinInventory(b []byte) (*winInventory, error) {
	var inv winInventory
	if err := json.Unmarshal(trimBOM(b), &inv); err != nil {
		return nil, fmt.Errorf("inventory script: %w", err)
	}
	return &inv, nil
}

// sectionError is the script's error for one section, if any.
func (inv *winInventory) sectionError(name string) error {
	if msg := inv.Errors[name]; msg != "" {
		return errors.New(msg)
	}
	return nil
}

func parseISO(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.0000000", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

func (inv *winInventory) os() (*agentv1.OperatingSystem, error) {
	o := &agentv1.OperatingSystem{Platform: "windows"}
	w := inv.OS
	if w == nil {
		return o, firstErr(inv.sectionError("os"), errors.New("no os data"))
	}
	o.Name = strings.TrimSpace(strings.TrimPrefix(w.Caption, "Microsoft "))
	o.Version = firstNonEmpty(w.DisplayVersion, w.ReleaseID, w.Version)
	o.Build = w.Version
	if w.UBR > 0 {
		o.Build += "." + strconv.FormatInt(int64(w.UBR), 10)
	}
	switch arch := strings.ToLower(w.OSArchitecture); {
	case strings.Contains(arch, "arm"):
		o.Architecture = "arm64"
	case strings.Contains(arch, "64"):
		o.Architecture = "amd64"
	case arch != "":
		o.Architecture = "386"
	}
	o.Hostname = w.CSName
	if w.PartOfDomain && w.Domain != "" {
		o.Fqdn = strings.ToLower(w.CSName + "." + w.Domain)
	}
	o.BootTime = ts(parseISO(w.LastBootUpTime))
	o.LoggedInUsers = w.LoggedOnUsers
	o.Timezone = w.TimeZone
	o.Server = w.ProductType != 1 && w.ProductType != 0 // 2 domain controller, 3 server
	return o, nil
}

func (inv *winInventory) hardware() (*agentv1.Hardware, error) {
	h := inv.Hardware
	if h == nil {
		return nil, firstErr(inv.sectionError("hardware"), errors.New("no hardware data"))
	}
	hw := &agentv1.Hardware{
		Manufacturer: h.Manufacturer,
		Model:        h.Model,
		SerialNumber: strings.TrimSpace(h.BIOS.SerialNumber),
		BiosVendor:   h.BIOS.Manufacturer,
		BiosVersion:  h.BIOS.SMBIOSBIOSVersion,
		MemoryBytes:  int64(h.TotalPhysicalMemory),
	}
	if t := parseISO(h.BIOS.ReleaseDate); !t.IsZero() {
		hw.BiosDate = t.Format("2006-01-02")
	}
	if strings.EqualFold(h.Manufacturer, "LENOVO") && h.SystemFamily != "" {
		hw.Model = h.SystemFamily + " (" + h.Model + ")"
	}
	for _, p := range h.Processors {
		if hw.CpuModel == "" {
			hw.CpuModel = p.Name
		}
		hw.CpuCores += int32(p.NumberOfCores)
		hw.CpuThreads += int32(p.NumberOfLogicalProcessors)
	}
	for _, g := range h.Gpus {
		hw.Gpus = append(hw.Gpus, &agentv1.Gpu{Name: g.Name, DriverVersion: g.DriverVersion})
	}
	if b := h.Battery; b != nil {
		hw.Battery = &agentv1.Battery{
			DesignCapacityMwh:     int64(b.DesignCapacity),
			FullChargeCapacityMwh: int64(b.FullChargeCapacity),
			CycleCount:            int32(b.CycleCount),
			ChargePercent:         float64(b.EstimatedChargeRemaining),
		}
		if b.DesignCapacity > 0 && b.FullChargeCapacity > 0 {
			pct := float64(b.FullChargeCapacity) / float64(b.DesignCapacity) * 100
			hw.Battery.Condition = fmt.Sprintf("%.0f%% of design capacity", pct)
		}
	}
	// Hyper-V's flag is also set on hosts running virtualisation-based
	// security, so the maker and model decide.
	hw.Virtual = looksVirtual(h.Manufacturer, h.Model)
	return hw, nil
}

func (inv *winInventory) bitLocker(mount string) *winBitLocker {
	if inv.Storage == nil {
		return nil
	}
	for i := range inv.Storage.BitLocker {
		b := &inv.Storage.BitLocker[i]
		if strings.EqualFold(strings.TrimRight(b.MountPoint, `\`), strings.TrimRight(mount, `\`)) {
			return b
		}
	}
	return nil
}

func (inv *winInventory) storage() (*agentv1.Storage, error) {
	s := inv.Storage
	if s == nil {
		return nil, firstErr(inv.sectionError("storage"), errors.New("no storage data"))
	}
	st := &agentv1.Storage{}
	sys := firstNonEmpty(s.SystemDrive, "C:")
	for _, v := range s.Volumes {
		vol := &agentv1.Volume{
			MountPoint: v.DeviceID, Label: v.VolumeName, FileSystem: v.FileSystem,
			SizeBytes: int64(v.Size), FreeBytes: int64(v.FreeSpace),
			System: strings.EqualFold(v.DeviceID, sys),
		}
		if bl := inv.bitLocker(v.DeviceID); bl != nil {
			vol.Encrypted = bl.ProtectionStatus == "On" || bl.VolumeStatus == "FullyEncrypted"
		}
		st.Volumes = append(st.Volumes, vol)
	}
	for _, d := range s.PhysicalDisks {
		pd := &agentv1.PhysicalDisk{
			Name:               `\\.\PHYSICALDRIVE` + string(d.DeviceID),
			Model:              strings.TrimSpace(d.FriendlyName),
			SerialNumber:       d.SerialNumber,
			SizeBytes:          int64(d.Size),
			TemperatureCelsius: int32(d.Temperature),
			WearPercent:        int32(d.Wear),
			PowerOnHours:       int64(d.PowerOnHours),
			PendingSectors:     int64(d.ReadErrorsUncorrected),
		}
		switch {
		case strings.EqualFold(d.BusType, "NVMe"):
			pd.MediaType = "nvme"
		case strings.EqualFold(d.MediaType, "SSD"):
			pd.MediaType = "ssd"
		case strings.EqualFold(d.MediaType, "HDD"):
			pd.MediaType = "hdd"
		default:
			pd.MediaType = "unknown"
		}
		switch d.HealthStatus {
		case "Healthy":
			pd.Health = "healthy"
		case "Warning":
			pd.Health = "warning"
		case "Unhealthy":
			pd.Health = "failing"
		default:
			pd.Health = "unknown"
		}
		st.Disks = append(st.Disks, pd)
	}
	// Match failure predictions (by WMI instance name) to disks.
	for _, inst := range s.FailurePredicted {
		norm := strings.ToUpper(inst)
		matched := false
		for _, d := range st.Disks {
			key := strings.ToUpper(strings.ReplaceAll(d.Model, " ", "_"))
			if key != "" && strings.Contains(norm, key) {
				d.SmartFailurePredicted, d.Health, matched = true, "failing", true
			}
		}
		if !matched && len(st.Disks) == 1 {
			st.Disks[0].SmartFailurePredicted, st.Disks[0].Health = true, "failing"
		}
	}
	for _, p := range s.StoragePools {
		st.Arrays = append(st.Arrays, p.array("storage-spaces-pool"))
	}
	for _, v := range s.VirtualDisks {
		st.Arrays = append(st.Arrays, v.array("storage-spaces-virtual-disk"))
	}
	return st, nil
}

// winSpace is a Storage Spaces pool or virtual disk as the inventory
// script reports it.
type winSpace struct {
	FriendlyName          string `json:"FriendlyName"`
	ResiliencySettingName string `json:"ResiliencySettingName"`
	HealthStatus          string `json:"HealthStatus"`
	OperationalStatus     string `json:"OperationalStatus"`
}

// array maps a pool or virtual disk to the contract: HealthStatus Healthy /
// Warning / Unhealthy and OperationalStatus (OK, Degraded, Incomplete, No
// Redundancy, InService = repairing, Detached, Lost Communication…).
func (w winSpace) array(kind string) *agentv1.RaidArray {
	a := &agentv1.RaidArray{Name: w.FriendlyName, Kind: kind, Level: strings.ToLower(w.ResiliencySettingName),
		Detail: strings.Trim(w.HealthStatus+" / "+w.OperationalStatus, " /")}
	op := strings.ToLower(w.OperationalStatus)
	switch {
	case strings.Contains(op, "inservice") || strings.Contains(op, "in service"):
		a.State = "rebuilding"
	case w.HealthStatus == "Unhealthy" || strings.Contains(op, "detached") || strings.Contains(op, "lost communication"):
		a.State = "failed"
	case w.HealthStatus == "Warning" || strings.Contains(op, "degraded") || strings.Contains(op, "incomplete") || strings.Contains(op, "no redundancy"):
		a.State = "degraded"
	case w.HealthStatus == "Healthy":
		a.State = "healthy"
	default:
		a.State = "unknown"
	}
	return a
}

// network adds what Get-NetAdapter and friends know to the interfaces
// found by gopsutil (matched by name).
func (inv *winInventory) network(n *agentv1.Network) {
	w := inv.Network
	if w == nil {
		return
	}
	n.DefaultGateways = w.Gateways
	n.DnsServers = w.DNSServers
	for _, a := range w.Adapters {
		var ni *agentv1.NetworkInterface
		for _, i := range n.Interfaces {
			if strings.EqualFold(i.Name, a.Name) {
				ni = i
			}
		}
		if ni == nil {
			ni = &agentv1.NetworkInterface{Name: a.Name, MacAddress: strings.ToLower(strings.ReplaceAll(a.MacAddress, "-", ":"))}
			n.Interfaces = append(n.Interfaces, ni)
		}
		ni.SpeedMbps = int64(a.LinkSpeedBps) / 1_000_000
		ni.Up = a.Status == "Up"
		ni.Wireless = strings.Contains(a.PhysicalMediaType, "802.11") || strings.Contains(strings.ToLower(a.InterfaceDescription), "wi-fi") || strings.Contains(strings.ToLower(a.InterfaceDescription), "wireless")
	}
}

func (inv *winInventory) software() ([]*agentv1.InstalledSoftware, error) {
	if inv.Software == nil {
		if err := inv.sectionError("software"); err != nil {
			return nil, err
		}
	}
	seen := map[string]bool{}
	var out []*agentv1.InstalledSoftware
	for _, s := range inv.Software {
		key := s.DisplayName + "\x00" + string(s.DisplayVersion)
		if seen[key] {
			continue // listed under both the 64-bit and the 32-bit key
		}
		seen[key] = true
		sw := &agentv1.InstalledSoftware{
			Name: strings.TrimSpace(s.DisplayName), Version: strings.TrimSpace(string(s.DisplayVersion)),
			Publisher: strings.TrimSpace(s.Publisher), Source: "registry",
		}
		if s.WindowsInstaller == 1 {
			sw.Source = "msi"
		}
		if s.Scope == "user" {
			sw.Source += "-user"
		}
		if d := string(s.InstallDate); len(d) == 8 {
			if t, err := time.Parse("20060102", d); err == nil {
				sw.InstallDate = t.Format("2006-01-02")
			}
		}
		out = append(out, sw)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out, nil
}

func (inv *winInventory) services() ([]*agentv1.Service, error) {
	if inv.Services == nil {
		if err := inv.sectionError("services"); err != nil {
			return nil, err
		}
	}
	var out []*agentv1.Service
	for _, s := range inv.Services {
		state := strings.ToLower(s.Status)
		if state == "" {
			state = "unknown"
		}
		out = append(out, &agentv1.Service{Name: s.Name, DisplayName: s.DisplayName, State: state, StartMode: strings.ToLower(s.StartType)})
	}
	return out, nil
}

func (inv *winInventory) reboot() (*agentv1.PendingReboot, error) {
	r := inv.Reboot
	if r == nil {
		return nil, firstErr(inv.sectionError("reboot"), errors.New("no reboot data"))
	}
	pr := &agentv1.PendingReboot{}
	add := func(on flexBool, reason string) {
		if on {
			pr.Pending = true
			pr.Reasons = append(pr.Reasons, reason)
		}
	}
	add(r.WindowsUpdate, "windows-update")
	add(r.ComponentServicing, "component-servicing")
	add(r.PendingFileRename, "file-rename")
	add(r.ComputerRename, "computer-rename")
	add(r.UpdateExeVolatile, "update-exe-volatile")
	return pr, nil
}

// avState decodes SecurityCenter2's productState: bits 12–15 say whether
// real-time protection is on (1), bits 4–7 whether signatures are out of
// date (non-zero).
func avState(state int64) (enabled, upToDate bool) {
	return (state>>12)&0xf == 1, (state>>4)&0xf == 0
}

func (inv *winInventory) security() (*agentv1.Security, error) {
	w := inv.Security
	if w == nil {
		return nil, firstErr(inv.sectionError("security"), errors.New("no security data"))
	}
	s := &agentv1.Security{SecureBoot: bool(w.SecureBoot), LocalAdmins: w.LocalAdmins}
	for _, f := range w.Firewall {
		s.Firewall = append(s.Firewall, &agentv1.FirewallProfile{Profile: strings.ToLower(f.Name), Enabled: bool(f.Enabled), Product: "windows-firewall"})
	}
	var defSig time.Time
	if d := w.Defender; d != nil {
		defSig = parseISO(d.AntivirusSignatureLastUpdated)
	}
	for _, a := range w.AntiVirus {
		on, fresh := avState(int64(a.ProductState))
		// productState is the product's own report to Security Center.
		av := &agentv1.Antivirus{Name: a.DisplayName, Enabled: on, UpToDate: fresh, UpToDateReported: true}
		if t, err := time.Parse(time.RFC1123, a.Timestamp); err == nil {
			av.SignatureTime = ts(t)
		}
		if strings.Contains(a.DisplayName, "Defender") && w.Defender != nil {
			if !defSig.IsZero() {
				av.SignatureTime = ts(defSig)
			}
			av.SignatureVersion = w.Defender.AntivirusSignatureVersion
		}
		s.Antivirus = append(s.Antivirus, av)
	}
	if len(s.Antivirus) == 0 && w.Defender != nil { // Windows Server has no Security Center
		d := w.Defender
		s.Antivirus = append(s.Antivirus, &agentv1.Antivirus{
			Name:          "Microsoft Defender Antivirus",
			Enabled:       bool(d.AntivirusEnabled) && bool(d.RealTimeProtectionEnabled),
			UpToDate:      d.AntivirusSignatureAge <= 3,
			SignatureTime: ts(defSig),
			// Get-MpComputerStatus reports the signature age itself.
			UpToDateReported: true,
			SignatureVersion: d.AntivirusSignatureVersion,
		})
	}
	sys := "C:"
	if inv.Storage != nil && inv.Storage.SystemDrive != "" {
		sys = inv.Storage.SystemDrive
	}
	if bl := inv.bitLocker(sys); bl != nil {
		s.Encryption = &agentv1.DiskEncryption{
			Enabled: bl.ProtectionStatus == "On",
			Method:  "bitlocker",
			Status:  strings.TrimSpace(bl.VolumeStatus + ", protection " + strings.ToLower(bl.ProtectionStatus)),
		}
		if bl.VolumeStatus == "FullyDecrypted" {
			s.Encryption.Method = "none"
		}
	}
	if t := w.InactivityTimeoutSecs; t > 0 {
		s.ScreenLock = &agentv1.ScreenLock{Enabled: true, TimeoutSeconds: int32(t)}
	}
	return s, nil
}

// parseManageBde reads `manage-bde -status C:`.
func parseManageBde(b []byte) *agentv1.DiskEncryption {
	kv := keyValues(b, ":")
	conv, prot := kv["Conversion Status"], kv["Protection Status"]
	if conv == "" && prot == "" {
		return nil
	}
	enc := &agentv1.DiskEncryption{Method: "bitlocker", Enabled: strings.HasPrefix(prot, "Protection On"), Status: conv + ", " + strings.ToLower(prot)}
	if conv == "Fully Decrypted" {
		enc.Method = "none"
	}
	return enc
}

// winUpdates is the output of scripts/updates.ps1.
type winUpdates struct {
	HotFixes oneOrMany[struct {
		HotFixID    string `json:"HotFixID"`
		Description string `json:"Description"`
		InstalledOn string `json:"InstalledOn"`
	}] `json:"HotFixes"`
	HotFixError string `json:"HotFixError"`
	Missing     oneOrMany[struct {
		Title                    string            `json:"Title"`
		KB                       oneOrMany[string] `json:"KB"`
		MsrcSeverity             string            `json:"MsrcSeverity"`
		Categories               oneOrMany[string] `json:"Categories"`
		LastDeploymentChangeTime string            `json:"LastDeploymentChangeTime"`
	}] `json:"Missing"`
	SearchError                 string  `json:"SearchError"`
	LastSearchSuccessDate       string  `json:"LastSearchSuccessDate"`
	LastInstallationSuccessDate string  `json:"LastInstallationSuccessDate"`
	NotificationLevel           flexInt `json:"NotificationLevel"`
	NoAutoUpdate                flexInt `json:"NoAutoUpdate"`
	AUOptions                   flexInt `json:"AUOptions"`
}

// parseWinUpdates reads scripts/updates.ps1 output.
func parseWinUpdates(b []byte) (*agentv1.Patches, error) {
	var u winUpdates
	if err := json.Unmarshal(trimBOM(b), &u); err != nil {
		return nil, fmt.Errorf("updates script: %w", err)
	}
	p := &agentv1.Patches{}
	for _, m := range u.Missing {
		mu := &agentv1.MissingUpdate{Title: m.Title, Classification: winClassification(m.MsrcSeverity, m.Categories), PublishedTime: ts(parseISO(m.LastDeploymentChangeTime))}
		if len(m.KB) > 0 {
			mu.Id = "KB" + strings.TrimPrefix(m.KB[0], "KB")
		}
		p.Missing = append(p.Missing, mu)
	}
	last := parseISO(u.LastInstallationSuccessDate)
	for _, h := range u.HotFixes {
		if t := parseISO(h.InstalledOn); t.After(last) {
			last = t
		}
	}
	p.LastInstallTime = ts(last)
	p.LastCheckTime = ts(parseISO(u.LastSearchSuccessDate))
	p.AutomaticUpdates = u.NoAutoUpdate != 1 && u.AUOptions != 2 && u.AUOptions != 3 &&
		(u.NotificationLevel == 0 || u.NotificationLevel == 4)
	if u.SearchError != "" {
		return p, fmt.Errorf("windows update search: %s", u.SearchError)
	}
	return p, nil
}

func winClassification(severity string, cats []string) string {
	has := func(s string) bool {
		for _, c := range cats {
			if strings.EqualFold(c, s) {
				return true
			}
		}
		return false
	}
	switch {
	case strings.EqualFold(severity, "Critical") || has("Critical Updates"):
		return "critical"
	case has("Security Updates"):
		return "security"
	case has("Definition Updates"):
		return "definition"
	case has("Drivers"):
		return "driver"
	case has("Update Rollups") || has("Updates") || has("Feature Packs") || has("Upgrades"):
		return "important"
	}
	return "optional"
}

// winEvent is one <Event> of `wevtutil qe … /f:RenderedXml` (or /f:xml,
// which lacks RenderingInfo).
type winEvent struct {
	System struct {
		Provider struct {
			Name string `xml:"Name,attr"`
		} `xml:"Provider"`
		EventID     string `xml:"EventID"`
		Level       int    `xml:"Level"`
		TimeCreated struct {
			SystemTime string `xml:"SystemTime,attr"`
		} `xml:"TimeCreated"`
		Channel string `xml:"Channel"`
	} `xml:"System"`
	EventData struct {
		Data []struct {
			Name  string `xml:"Name,attr"`
			Value string `xml:",chardata"`
		} `xml:"Data"`
	} `xml:"EventData"`
	RenderingInfo struct {
		Message string `xml:"Message"`
	} `xml:"RenderingInfo"`
}

func (e *winEvent) data(name string, index int) string {
	for _, d := range e.EventData.Data {
		if d.Name == name && name != "" {
			return d.Value
		}
	}
	if index >= 0 && index < len(e.EventData.Data) {
		return e.EventData.Data[index].Value
	}
	return ""
}

// parseWevtutil reads a stream of <Event> elements, adds errors and
// warnings to g and returns the crashes among them: application crashes
// (1000, 1002 hangs), blue screens (1001 BugCheck) and unexpected
// shutdowns (Kernel-Power 41, EventLog 6008).
func parseWevtutil(r io.Reader, g *eventGroups) ([]*agentv1.Crash, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	var crashes []*agentv1.Crash
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return crashes, nil
		}
		if err != nil {
			return crashes, fmt.Errorf("wevtutil: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Event" {
			continue
		}
		var e winEvent
		if err := dec.DecodeElement(&e, &se); err != nil {
			return crashes, fmt.Errorf("wevtutil: %w", err)
		}
		t := parseISO(e.System.TimeCreated.SystemTime)
		id, _ := strconv.ParseInt(strings.TrimSpace(e.System.EventID), 10, 64)
		msg := e.RenderingInfo.Message
		if msg == "" {
			var parts []string
			for _, d := range e.EventData.Data {
				if v := strings.TrimSpace(d.Value); v != "" {
					parts = append(parts, v)
				}
			}
			msg = strings.Join(parts, "; ")
		}
		level := map[int]string{1: "critical", 2: "error", 3: "warning"}[e.System.Level]
		if level != "" {
			g.add(e.System.Channel, e.System.Provider.Name, id, level, t, msg)
		}
		if c := winCrash(&e, id, t); c != nil {
			crashes = append(crashes, c)
		}
	}
}

func winCrash(e *winEvent, id int64, t time.Time) *agentv1.Crash {
	prov := e.System.Provider.Name
	switch {
	case prov == "Application Error" && id == 1000:
		detail := "faulting module " + e.data("ModuleName", 3)
		if code := e.data("ExceptionCode", 6); code != "" {
			detail += ", exception 0x" + strings.TrimPrefix(code, "0x")
		}
		return &agentv1.Crash{Application: e.data("AppName", 0), Time: ts(t), Detail: detail}
	case prov == "Application Hang" && id == 1002:
		return &agentv1.Crash{Application: e.data("", 0), Time: ts(t), Detail: "application hang"}
	case prov == "Microsoft-Windows-WER-SystemErrorReporting" && id == 1001:
		return &agentv1.Crash{Application: "kernel", Time: ts(t), Detail: truncate(cleanText("bugcheck: "+firstNonEmpty(e.data("param1", 0), e.RenderingInfo.Message)), 500)}
	case prov == "Microsoft-Windows-Kernel-Power" && id == 41:
		return &agentv1.Crash{Application: "kernel", Time: ts(t), Detail: "unexpected shutdown (Kernel-Power 41), bugcheck code " + firstNonEmpty(e.data("BugcheckCode", 0), "0")}
	case prov == "EventLog" && id == 6008:
		return &agentv1.Crash{Application: "kernel", Time: ts(t), Detail: "previous shutdown was unexpected (EventLog 6008)"}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
