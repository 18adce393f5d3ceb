#!/bin/bash
# scripts/deps.sh: installs the Debian 12 packages fwsight needs, the one list that
# build-and-run.sh and test.sh share:
#
#   deps.sh --build   what building fwsight and running it need (build-and-run.sh)
#   deps.sh --test    that, and what the tests, the labs, the fuzzers and the benchmarks
#                     need (test.sh)
#
# The build set is what CMakeLists.txt looks for with FW_TESTS=OFF (a C compiler and make,
# cmake, pkg-config, and the three libraries fwsight links); cmocka is looked for only with
# the tests. Does nothing when they are all there already (no network needed then). Run as
# root, or with sudo available.
set -eu

build=(
    build-essential cmake pkg-config       # the build: gcc, make, cmake, pkg-config
    libpcap-dev zlib1g-dev libncurses-dev  # fwsight's libraries (libpcap, zlib, ncursesw)
)
test=(
    libcmocka-dev python3                  # unit tests, golden and conformance runners
    tcpdump tshark                         # cross-checking captures
    nftables iproute2 tmux                 # live tests: firewall lab, namespaces, the UI
    ethtool                                # labs: offload off, so captures hold real checksums
    time                                   # bench/run.sh: peak memory (/usr/bin/time)
    libcap2-bin                            # live tests: setcap (capture without root)
    iputils-ping procps                    # network tests: ping, pgrep
    tcpreplay                              # bench/live_bench.sh: replays over a veth
    clang libclang-rt-14-dev               # tests/fuzz: libFuzzer targets
    strace                                 # tests/security/nofiles.sh: every file opened
    chromium                               # tests/html/browser_test.sh: renders --html's page
)

case "${1:-}" in
--build) packages=("${build[@]}") ;;
--test) packages=("${build[@]}" "${test[@]}") ;;
--list-build) printf '%s\n' "${build[@]}"; exit 0 ;;
--list-test) printf '%s\n' "${build[@]}" "${test[@]}"; exit 0 ;;
*)
    echo "usage: deps.sh --build|--test   (--list-build, --list-test: print the list)" >&2
    exit 2
    ;;
esac

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} = 0 ]; then
    echo "deps: all ${#packages[@]} packages installed"
    exit 0
fi

echo "deps: installing ${missing[*]}"
sudo=
if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo > /dev/null; then
        echo "deps: missing packages and not root: run as root, or install: ${missing[*]}" >&2
        exit 1
    fi
    sudo=sudo
fi
# tshark asks whether non-root users may capture: noninteractive takes the default (no).
export DEBIAN_FRONTEND=noninteractive
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
