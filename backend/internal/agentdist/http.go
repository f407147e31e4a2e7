package agentdist

import (
	"bytes"
	"embed"
	"errors"
	"net/http"
	"os"
	"strings"
	"text/template"
)

// Public routes (no authentication: endpoints fetch them before they have
// any credential).
const (
	DownloadPrefix   = "/agent/download/"
	ChecksumsPath    = "/agent/SHA256SUMS"
	SignaturePath    = "/agent/SHA256SUMS.sig"
	PublicKeyPath    = "/agent/signing-key.pub"
	InstallShPath    = "/install.sh"
	InstallPs1Path   = "/install.ps1"
	UninstallShPath  = "/uninstall.sh"
	UninstallPs1Path = "/uninstall.ps1"
)

//go:embed scripts/install.sh scripts/install.ps1
var scriptFS embed.FS

var (
	shTemplate  = template.Must(template.New("install.sh").Delims("[[", "]]").ParseFS(scriptFS, "scripts/install.sh"))
	ps1Template = template.Must(template.New("install.ps1").Delims("[[", "]]").ParseFS(scriptFS, "scripts/install.ps1"))
)

// scriptData fills the install scripts' templates.
type scriptData struct {
	// ServerURL is baked into the script: where it downloads from and
	// what the agent enrols with.
	ServerURL string
	// Uninstall makes the script remove the agent by default.
	Uninstall bool
	// Binaries maps "goos_arch" to the newest binary's file name.
	Binaries map[string]string
}

// Script renders an install script for serverURL: path is InstallShPath,
// InstallPs1Path, UninstallShPath or UninstallPs1Path.
func (c *Catalog) Script(path, serverURL string) ([]byte, error) {
	d := scriptData{ServerURL: serverURL, Uninstall: strings.HasPrefix(path, "/uninstall"), Binaries: map[string]string{}}
	for _, goos := range []string{"linux", "darwin", "windows"} {
		for _, arch := range []string{"amd64", "arm64"} {
			if a, ok := c.Latest(goos, arch); ok {
				d.Binaries[goos+"_"+arch] = a.FileName
			}
		}
	}
	t := shTemplate
	if strings.HasSuffix(path, ".ps1") {
		t = ps1Template
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Register adds the public routes to mux. serverURL returns the URL the
// scripts bake in for a request (the configured public URL).
func (c *Catalog) Register(mux *http.ServeMux, serverURL func(*http.Request) string) {
	mux.HandleFunc("GET "+DownloadPrefix+"{file}", c.serveFile)
	mux.HandleFunc("GET "+ChecksumsPath, func(w http.ResponseWriter, r *http.Request) {
		sums, _, err := c.Checksums()
		c.writeText(w, sums, err)
	})
	mux.HandleFunc("GET "+SignaturePath, func(w http.ResponseWriter, r *http.Request) {
		_, sig, err := c.Checksums()
		c.writeText(w, sig, err)
	})
	mux.HandleFunc("GET "+PublicKeyPath, func(w http.ResponseWriter, r *http.Request) {
		c.writeText(w, []byte(c.PublicKeyBase64()+"\n"), nil)
	})
	for _, p := range []string{InstallShPath, UninstallShPath, InstallPs1Path, UninstallPs1Path} {
		mux.HandleFunc("GET "+p, func(w http.ResponseWriter, r *http.Request) {
			body, err := c.Script(p, serverURL(r))
			c.writeText(w, body, err)
		})
	}
}

func (c *Catalog) writeText(w http.ResponseWriter, body []byte, err error) {
	if err != nil {
		http.Error(w, "agent distribution unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(body)
}

func (c *Catalog) serveFile(w http.ResponseWriter, r *http.Request) {
	f, a, err := c.open(r.PathValue("file"))
	if errors.Is(err, os.ErrNotExist) {
		http.Error(w, "no such agent build; see "+ChecksumsPath+" for what this server offers", http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, "agent distribution unavailable", http.StatusServiceUnavailable)
		return
	}
	defer func() { _ = f.Close() }()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+a.FileName+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, a.FileName, a.ModTime, f)
}
