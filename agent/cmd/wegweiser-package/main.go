// Command wegweiser-package builds a native package of the agent: a .deb
// or .rpm for Linux, or a Windows .msi (needs wixl; env WEGWEISER_WIXL
// names another). `make agents` runs it for every package the server
// offers.
//
//	wegweiser-package -format deb -binary BIN -version V -arch amd64 -out FILE
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/wegweiser/wegweiser/agent/internal/packaging"
)

func main() {
	format := flag.String("format", "", "deb, rpm or msi")
	in := packaging.Input{}
	flag.StringVar(&in.Binary, "binary", "", "the agent binary built for the package's system and architecture")
	flag.StringVar(&in.Version, "version", "", "the agent version")
	flag.StringVar(&in.Arch, "arch", "amd64", "amd64 or arm64")
	flag.StringVar(&in.Out, "out", "", "package file to write")
	flag.Parse()
	if *format == "" || in.Binary == "" || in.Version == "" || in.Out == "" {
		fmt.Fprintln(os.Stderr, "usage: wegweiser-package -format deb|rpm|msi -binary BIN -version V -arch amd64|arm64 -out FILE")
		os.Exit(2)
	}
	var err error
	switch *format {
	case "deb", "rpm":
		err = packaging.Linux(*format, in)
	case "msi":
		err = packaging.MSI(os.Getenv("WEGWEISER_WIXL"), in)
	default:
		err = fmt.Errorf("unknown format %q: want deb, rpm or msi", *format)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wegweiser-package:", err)
		os.Exit(1)
	}
	fmt.Println(in.Out)
}
