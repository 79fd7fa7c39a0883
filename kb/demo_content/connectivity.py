"""Connectivity & APN: APN settings for modules, routers, Android and iOS; RAT selection."""

# Prose, tables and code samples keep their natural line lengths.
# ruff: noqa: E501

from kb.demo_content.builders import callout, code, h2, h3, p, steps, table

SECTION = {
    "slug": "connectivity-apn",
    "title": "Connectivity & APN",
    "intro": (
        "<p>Get devices registered and online: the APN and what it does, step-by-step AT "
        "command sessions for cellular modules, LTE-M and NB-IoT network selection and power "
        "saving, and APN settings for routers, Android and iOS.</p>"
    ),
    "pages": [
        {
            "type": "article",
            "slug": "what-is-an-apn",
            "title": "What an APN is and which one to use",
            "kind": "guide",
            "difficulty": "beginner",
            "area": "connectivity",
            "tags": ["apn", "pdp-context", "lte-m", "nb-iot"],
            "reviewed_days_ago": 30,
            "summary": (
                "The access point name tells the network where to route a device's data. Use "
                "iot.example with no credentials; private APNs are available for private "
                "networks and static IPs."
            ),
            "body": [
                p(
                    """
                    <p>When a device opens a data connection it names an <strong>access point
                    name</strong> (APN). The network uses the APN to pick the gateway that
                    gives the device its IP address and routes its traffic: to the public
                    internet, or into a private network such as your VPN.</p>
                    """
                ),
                h2("Our APNs"),
                table(
                    [
                        ["APN", "Where traffic goes", "IP address", "Credentials"],
                        [
                            "iot.example",
                            "Public internet, through carrier NAT",
                            "Private, dynamic",
                            "None",
                        ],
                        [
                            "private.example",
                            "Your IPsec VPN or cloud VPC only",
                            "Static, from your range",
                            "None",
                        ],
                        [
                            "<account>.example",
                            "Dedicated private APN for large accounts",
                            "Static or dynamic",
                            "Optional (PAP/CHAP)",
                        ],
                    ],
                    caption="Access point names",
                ),
                callout(
                    "note",
                    """
                    <p>Leave the user name and password empty for <code>iot.example</code>. If a
                    device insists on credentials, any value works: the network ignores them
                    on the public APN.</p>
                    """,
                ),
                h2("How the APN is used on LTE"),
                p(
                    """
                    <p>On 2G and 3G a device attaches first and opens a data session (a
                    <em>PDP context</em>) later, naming the APN at that point. On LTE, LTE-M and
                    NB-IoT the first data session, the <em>default EPS bearer</em>, is set up as
                    part of the attach itself. That is why on LTE the APN must be configured
                    <strong>before</strong> the module registers: a wrong APN can make the
                    attach itself fail, and the symptom looks like a coverage problem.</p>
                    <p>If the device sends an empty APN, the network fills in the default APN
                    from the SIM's subscription (<code>iot.example</code>). This works for most
                    devices, but setting it explicitly avoids surprises when the module keeps
                    an APN from a previous SIM.</p>
                    """
                ),
                h2("IPv4, IPv6 or both"),
                p(
                    """
                    <p>The PDP type sets the IP version. Use <code>IP</code> (IPv4) unless your
                    back end is reachable over IPv6; <code>IPV4V6</code> gives the device both
                    addresses where the visited network supports it, and falls back to IPv4
                    where it does not. NB-IoT devices that use Non-IP Data Delivery (NIDD) use
                    the <code>Non-IP</code> type with a dedicated APN; ask support to enable
                    it.</p>
                    """
                ),
                h2("Where to set it"),
                p(
                    """
                    <ul>
                    <li>Cellular modules: <a href="/connectivity-apn/apn-configuration-with-at-commands/">
                    APN configuration with AT commands</a></li>
                    <li>Routers and gateways: <a href="/connectivity-apn/apn-settings-for-routers/">
                    APN settings for cellular routers</a></li>
                    <li>Phones and tablets: <a href="/connectivity-apn/apn-settings-android/">Android</a>
                    and <a href="/connectivity-apn/apn-settings-ios/">iOS and iPadOS</a></li>
                    </ul>
                    """
                ),
            ],
        },
        {
            "type": "article",
            "slug": "apn-configuration-with-at-commands",
            "title": "APN configuration with AT commands",
            "kind": "tutorial",
            "difficulty": "intermediate",
            "area": "connectivity",
            "tags": ["apn", "at-commands", "lte-m", "nb-iot", "pdp-context"],
            "reviewed_days_ago": 12,
            "summary": (
                "A complete AT command session for a cellular module: check the SIM, set the "
                "APN, register, attach and confirm the IP address, with the responses you should "
                "see at every step."
            ),
            "body": [
                p(
                    """
                    <p>This tutorial walks through a full AT session on a typical LTE-M/NB-IoT
                    module. The commands come from 3GPP TS 27.007 and work on modules from
                    Quectel, u-blox, Telit, Sierra Wireless, Nordic and SIMCom; vendor-specific
                    commands are marked. Open a serial terminal on the module's AT port
                    (usually 115200 baud, 8N1) and type each command followed by Enter.</p>
                    """
                ),
                callout(
                    "info",
                    """
                    <p>Responses below are what a healthy device returns. Modules may add
                    unsolicited lines such as <code>+CEREG: 2</code> at any time; they are
                    normal.</p>
                    """,
                ),
                h2("1. Talk to the module and check the SIM"),
                code(
                    "at",
                    """
                    AT
                    OK
                    ATI
                    Quectel
                    BG95-M3
                    Revision: BG95M3LAR02A03

                    OK
                    AT+CMEE=2
                    OK
                    AT+CPIN?
                    +CPIN: READY

                    OK
                    """,
                ),
                p(
                    """
                    <p><code>AT+CMEE=2</code> turns numeric errors into readable ones, so a
                    failure says <code>+CME ERROR: SIM not inserted</code> rather than
                    <code>ERROR</code>. If <code>AT+CPIN?</code> returns <code>SIM PIN</code>,
                    the card has a PIN set; our SIMs ship without one.</p>
                    """
                ),
                h2("2. Set the APN with the radio off"),
                p(
                    """
                    <p>Turn the radio off with <code>AT+CFUN=0</code> (or <code>AT+CFUN=4</code>,
                    flight mode, if your module's manual recommends it), define PDP context 1,
                    then turn the radio back on. Changing the context while the
                    module is registered is allowed but does not take effect until the next
                    attach.</p>
                    """
                ),
                code(
                    "at",
                    """
                    AT+CFUN=0
                    OK
                    AT+CGDCONT=1,"IP","iot.example"
                    OK
                    AT+CGDCONT?
                    +CGDCONT: 1,"IP","iot.example","0.0.0.0",0,0,0,0

                    OK
                    AT+CFUN=1
                    OK
                    """,
                ),
                h2("3. Watch it register"),
                p(
                    """
                    <p>Enable registration reports, then query the state. On LTE-M and NB-IoT
                    use <code>AT+CEREG</code>; <code>AT+CREG</code> reports circuit-switched
                    registration on 2G/3G and <code>AT+CGREG</code> packet-switched
                    registration on 2G/3G.</p>
                    """
                ),
                code(
                    "at",
                    """
                    AT+CEREG=2
                    OK
                    AT+CEREG?
                    +CEREG: 2,2

                    OK
                    +CEREG: 5,"1A2B","01A2D3F4",7
                    """,
                ),
                p(
                    """
                    <p>A module that can fall back to 2G or 3G reports there with
                    <code>AT+CREG</code> and <code>AT+CGREG</code>, using the same status
                    values. On an LTE-M-only registration these typically stay at
                    <code>0</code>, which is not an error:</p>
                    """
                ),
                code(
                    "at",
                    """
                    AT+CREG?
                    +CREG: 0,0

                    OK
                    AT+CGREG?
                    +CGREG: 0,0

                    OK
                    """,
                ),
                table(
                    [
                        ["stat", "Meaning", "What to do"],
                        [
                            "0",
                            "Not registered, not searching",
                            "Check AT+CFUN? is 1 and AT+COPS? is not 2",
                        ],
                        ["1", "Registered, home network", "Carry on"],
                        ["2", "Not registered, searching", "Wait; a first scan can take minutes"],
                        ["3", "Registration denied", "Check the SIM state in the portal"],
                        ["4", "Unknown (often out of coverage)", "Check signal and bands"],
                        ["5", "Registered, roaming", "Carry on: our SIMs roam by design"],
                    ],
                    caption="+CEREG registration states",
                ),
                p(
                    """
                    <p>In <code>+CEREG: 5,"1A2B","01A2D3F4",7</code> the fields after the state
                    are the tracking area code, the cell ID and the access technology:
                    <code>7</code> is LTE-M (E-UTRAN), <code>9</code> is NB-IoT. Our SIMs
                    always show <code>5</code> (roaming) because they use partner networks;
                    that is expected and not an error.</p>
                    """
                ),
                h2("4. Check the operator and signal"),
                code(
                    "at",
                    """
                    AT+COPS?
                    +COPS: 0,0,"Example Mobile",7

                    OK
                    AT+CSQ
                    +CSQ: 18,99

                    OK
                    """,
                ),
                p(
                    """
                    <p><code>AT+COPS?</code> shows the mode (<code>0</code> = automatic
                    selection), the network name and the access technology.
                    <code>AT+CSQ</code> reports signal strength from 0 to 31 (99 = unknown);
                    18 is about -77 dBm. See <a href="/troubleshooting/weak-signal/">Weak signal
                    and coverage</a> for what the numbers mean on LTE.</p>
                    """
                ),
                h2("5. Confirm the attach and the IP address"),
                code(
                    "at",
                    """
                    AT+CGATT?
                    +CGATT: 1

                    OK
                    AT+CGACT?
                    +CGACT: 1,1

                    OK
                    AT+CGPADDR=1
                    +CGPADDR: 1,"10.174.33.18"

                    OK
                    """,
                ),
                p(
                    """
                    <p><code>+CGATT: 1</code> means the module is attached to the packet
                    domain, <code>+CGACT: 1,1</code> that context 1 is active, and
                    <code>AT+CGPADDR</code> shows the address the network assigned. If the
                    context is not active, activate it with <code>AT+CGACT=1,1</code>; on LTE it
                    is normally active straight after the attach.</p>
                    """
                ),
                h2("Vendor-specific settings worth knowing"),
                h3("Quectel BG95/BG96"),
                code(
                    "at",
                    """
                    AT+QCFG="iotopmode",0,1
                    OK
                    AT+QCFG="nwscanseq",020301,1
                    OK
                    AT+QICSGP=1,1,"iot.example","","",0
                    OK
                    """,
                ),
                p(
                    """
                    <p><code>iotopmode</code> 0 selects LTE-M only, 1 NB-IoT only, 2 both;
                    <code>nwscanseq</code> 020301 scans LTE-M, then NB-IoT, then GSM. Quectel's
                    own TCP/IP stack takes its APN from <code>AT+QICSGP</code> as well as from
                    <code>AT+CGDCONT</code>: set both to the same value.</p>
                    """
                ),
                h3("u-blox SARA-R4/R5"),
                code(
                    "at",
                    """
                    AT+COPS=2
                    OK
                    AT+UMNOPROF=90
                    OK
                    AT+CFUN=15
                    OK
                    """,
                ),
                p(
                    """
                    <p>The MNO profile selects band and feature defaults; profile 90 is the
                    global profile suited to roaming SIMs (check your module's manual for the
                    profiles it supports). <code>AT+CFUN=15</code> resets the module so the
                    profile takes effect.</p>
                    """
                ),
                callout(
                    "warning",
                    """
                    <p>Settings written with <code>AT+CGDCONT</code> are saved to non-volatile
                    memory on most modules, but not all. Re-send the APN at every boot from
                    your firmware rather than relying on a value set on the bench.</p>
                    """,
                    title="Set the APN from firmware",
                ),
            ],
        },
        {
            "type": "article",
            "slug": "lte-m-nb-iot-network-selection",
            "title": "LTE-M, NB-IoT and network selection",
            "kind": "guide",
            "difficulty": "advanced",
            "area": "connectivity",
            "tags": ["lte-m", "nb-iot", "psm", "edrx", "at-commands", "roaming"],
            "reviewed_days_ago": 75,
            "summary": (
                "Choose between LTE-M and NB-IoT, control which networks a module selects, and "
                "configure power saving mode and eDRX timers without losing reachability."
            ),
            "body": [
                p(
                    """
                    <p>LTE-M (Cat-M1) and NB-IoT (Cat-NB1/NB2) are the two low-power LTE
                    technologies for IoT. Most current modules support both; which one your
                    devices should use depends on mobility, data volume and where they are
                    deployed.</p>
                    """
                ),
                h2("LTE-M or NB-IoT?"),
                table(
                    [
                        ["", "LTE-M", "NB-IoT"],
                        ["Peak data rate", "About 1 Mbit/s", "Tens of kbit/s"],
                        ["Mobility", "Full handover between cells", "Cell reselection only"],
                        ["Latency", "10-15 ms", "1.6-10 s"],
                        ["Voice (VoLTE)", "Supported", "Not supported"],
                        ["Deep indoor coverage", "Good (CE mode A/B)", "Best (up to 164 dB MCL)"],
                        ["Roaming availability", "Wide", "Limited; check before deploying"],
                    ],
                    caption="Comparing the two low-power LTE technologies",
                ),
                p(
                    """
                    <p>Choose <strong>LTE-M</strong> for anything that moves, needs firmware
                    updates over the air, or needs replies in under a second. Choose
                    <strong>NB-IoT</strong> for static devices sending small messages from
                    basements or underground, such as water and gas meters, where the network
                    supports it.</p>
                    """
                ),
                callout(
                    "warning",
                    """
                    <p>NB-IoT roaming agreements are still far less common than LTE-M ones. Check
                    the coverage map for NB-IoT in every country you deploy to, and keep LTE-M
                    (and 2G where it still exists) enabled as a fallback.</p>
                    """,
                ),
                h2("Selecting networks"),
                p(
                    """
                    <p>Leave network selection automatic (<code>AT+COPS=0</code>) in the field.
                    Our SIMs carry a preferred network list and the network steers devices to
                    the best partner. Manual selection is for diagnosis: list the networks the
                    module can see, then try one.</p>
                    """
                ),
                code(
                    "at",
                    """
                    AT+COPS=?
                    +COPS: (2,"Example Mobile","ExMobile","310410",7),(1,"Other Net","OtherNet","310260",7),,(0-4),(0-2)

                    OK
                    AT+COPS=1,2,"310260"
                    OK
                    AT+COPS=0
                    OK
                    """,
                ),
                p(
                    """
                    <p>In the list, the first field is the status (2 = current, 1 = available,
                    3 = forbidden). A scan can take several minutes on LTE-M/NB-IoT. Return to
                    automatic selection with <code>AT+COPS=0</code> when you are done, or the
                    device will stay on that one network even after losing it.</p>
                    """
                ),
                h2("Power saving mode (PSM)"),
                p(
                    """
                    <p>With PSM the module stays registered while its radio sleeps, so it does
                    not pay the energy cost of attaching again. It requests two timers: the
                    periodic tracking area update, T3412 (how often it must check in), and
                    the active time, T3324 (how long it stays reachable after each
                    transmission). The network may grant different values: always read back
                    what was granted.</p>
                    """
                ),
                code(
                    "at",
                    """
                    AT+CPSMS=1,,,"00111000","00100001"
                    OK
                    AT+CEREG=4
                    OK
                    AT+CEREG?
                    +CEREG: 4,5,"1A2B","01A2D3F4",7,,,"00100001","00111000"

                    OK
                    """,
                ),
                p(
                    """
                    <p>Timers are encoded in one byte: the top three bits are the unit, the
                    bottom five the multiplier. For T3412, unit <code>001</code> is one hour, so
                    <code>00111000</code> is 24 x 1 hour = 24 hours. For T3324, unit
                    <code>001</code> is one minute, so <code>00100001</code> is 1 minute.
                    <code>AT+CEREG=4</code> makes the module report the granted values (active
                    time first, then the periodic update).</p>
                    """
                ),
                callout(
                    "tip",
                    """
                    <p>A device in PSM cannot receive SMS or downlink data until it wakes. Queue
                    commands on your server and send them in the active time after the device's
                    next uplink.</p>
                    """,
                ),
                h2("eDRX"),
                p(
                    """
                    <p>Extended discontinuous reception lets an idle module listen for paging
                    only every few seconds to minutes instead of every 1.28 s. It suits devices
                    that must be reachable within a bounded delay. Request it with
                    <code>AT+CEDRXS</code>: the second parameter is the access technology
                    (4 = LTE-M, 5 = NB-IoT) and the last the cycle length code.</p>
                    """
                ),
                code(
                    "at",
                    """
                    AT+CEDRXS=1,4,"0101"
                    OK
                    AT+CEDRXRDP
                    +CEDRXRDP: 4,"0101","0101","0011"

                    OK
                    """,
                ),
                p(
                    """
                    <p>For LTE-M, code <code>0101</code> is an 81.92 s cycle.
                    <code>AT+CEDRXRDP</code> shows requested and granted values and the paging
                    time window.</p>
                    """
                ),
            ],
        },
        {
            "type": "article",
            "slug": "apn-settings-for-routers",
            "title": "APN settings for cellular routers and gateways",
            "kind": "tutorial",
            "difficulty": "beginner",
            "area": "connectivity",
            "tags": ["apn", "router", "roaming", "sim"],
            "reviewed_days_ago": 210,
            "summary": (
                "Configure the APN, roaming and SIM settings on an industrial cellular router, "
                "check the connection from the router's own tools and set up a connection "
                "watchdog."
            ),
            "body": [
                p(
                    """
                    <p>Industrial routers from Teltonika, Cradlepoint, Digi, Sierra Wireless,
                    Peplink, MikroTik and others all follow the same pattern: a mobile or WAN
                    interface with an APN profile, a roaming switch and a SIM slot selector.
                    Menu names differ; the values are the same.</p>
                    """
                ),
                table(
                    [
                        ["Setting", "Value"],
                        ["APN", "iot.example"],
                        ["Authentication", "None"],
                        ["User name / password", "Leave empty"],
                        ["PDP type", "IPv4 (or IPv4/IPv6)"],
                        ["Data roaming", "Enabled"],
                        ["SIM PIN", "Leave empty"],
                        ["Network type", "Auto (or LTE preferred)"],
                    ],
                    caption="Router settings for our SIMs",
                ),
                callout(
                    "danger",
                    """
                    <p>Our SIMs always register as roaming. If the router's
                    <strong>Data roaming</strong> option is off, it will register and then
                    refuse to open a data connection. This is the most common reason a new
                    router shows full signal and no internet.</p>
                    """,
                    title="Enable data roaming",
                ),
                h2("Configure the mobile interface"),
                steps(
                    (
                        "Insert the SIM with the router powered off",
                        "<p>Use SIM slot 1 unless you plan a dual-SIM failover. Note the ICCID "
                        "printed on the card.</p>",
                    ),
                    (
                        "Open the mobile interface settings",
                        "<p>In the router's web interface, open the mobile, cellular or WWAN "
                        "settings (for example <strong>Network &rarr; Mobile</strong>). Turn off "
                        "<em>Auto APN</em> if the router has it: its built-in database does not "
                        "know our APN.</p>",
                    ),
                    (
                        "Enter the APN and leave authentication empty",
                        "<p>Set APN to <code>iot.example</code>, authentication to "
                        "<em>None</em>, and save.</p>",
                    ),
                    (
                        "Enable data roaming and apply",
                        "<p>The interface restarts. Within a minute the status page should "
                        "show the operator, the access technology and a WAN IP address.</p>",
                    ),
                    (
                        "Test from the router",
                        "<p>Use the router's ping or diagnostics tool to ping a public host "
                        "such as <code>1.1.1.1</code>, then a host name to confirm DNS "
                        "works.</p>",
                    ),
                ),
                h2("Checking from the router's shell"),
                p(
                    """
                    <p>Many routers run Linux and offer SSH. On OpenWrt-based routers
                    with ModemManager you can inspect the modem directly:</p>
                    """
                ),
                code(
                    "bash",
                    """
                    mmcli -L
                    mmcli -m 0 --simple-status
                    mmcli -m 0 --simple-connect="apn=iot.example,ip-type=ipv4,allow-roaming=yes"
                    """,
                ),
                h2("Keep the link up"),
                p(
                    """
                    <p>Routers in remote cabinets need to recover on their own. Enable the
                    router's <strong>connection watchdog</strong> (sometimes called <em>ping
                    reboot</em> or <em>WAN health check</em>): ping two independent hosts every
                    five minutes and restart the modem after three consecutive failures,
                    rebooting the router only after the modem restart has failed.</p>
                    """
                ),
                callout(
                    "tip",
                    """
                    <p>Carrier-grade NAT closes idle TCP connections after about 30 minutes
                    without traffic. For VPN tunnels from the router, set a keepalive of
                    20-25 minutes or less; see <a href="/data-sms/packet-data-sessions/">Packet
                    data sessions</a>.</p>
                    """,
                ),
            ],
        },
        {
            "type": "article",
            "slug": "apn-settings-android",
            "title": "APN settings on Android",
            "kind": "tutorial",
            "difficulty": "beginner",
            "area": "connectivity",
            "tags": ["apn", "android", "roaming", "sim"],
            "reviewed_days_ago": 320,
            "summary": (
                "Add an access point name on Android phones, tablets and handheld terminals, "
                "turn on data roaming, and push the setting to managed fleets."
            ),
            "body": [
                p(
                    """
                    <p>Rugged handhelds, tablets in kiosks and phones used as gateways often
                    run Android. Android picks the APN from its carrier database, which does not
                    know our SIMs, so add the APN once per device (or push it with your device
                    management tool).</p>
                    """
                ),
                steps(
                    (
                        "Open the SIM settings",
                        "<p>Go to <strong>Settings &rarr; Network &amp; internet &rarr; "
                        "SIMs</strong> and choose the SIM. On older versions: <strong>Settings "
                        "&rarr; Connections &rarr; Mobile networks</strong>.</p>",
                    ),
                    (
                        "Turn on Roaming",
                        "<p>Our SIMs register as roaming on every network, so Android will not "
                        "use mobile data unless <strong>Roaming</strong> is on.</p>",
                    ),
                    (
                        "Open Access Point Names and add one",
                        "<p>Tap <strong>Access Point Names</strong>, then <strong>+</strong> "
                        "(or the menu, then <em>New APN</em>).</p>",
                    ),
                    (
                        "Fill in the fields",
                        "<p>Name: <code>Example IoT</code>; APN: <code>iot.example</code>; APN "
                        "type: <code>default,supl</code>; APN protocol and APN roaming protocol: "
                        "<code>IPv4</code>. Leave proxy, user name and password empty.</p>",
                    ),
                    (
                        "Save and select it",
                        "<p>Use the menu to save, then select the new APN's radio button. The "
                        "status bar shows LTE or 4G when the data session is up.</p>",
                    ),
                ),
                callout(
                    "note",
                    """
                    <p>If the Access Point Names screen is greyed out or the <strong>+</strong>
                    is missing, the device's carrier configuration locks the APN list. A device
                    policy controller (Android Enterprise) can still set it, see below.</p>
                    """,
                ),
                h2("Managed fleets: set the APN with Android Enterprise"),
                p(
                    """
                    <p>On Android 9 and later, a device owner app can add APNs with
                    <code>DevicePolicyManager.addOverrideApn()</code>, and most enterprise
                    mobility management consoles expose this as an <em>APN policy</em>. The
                    override applies to every SIM with a matching MCC/MNC:</p>
                    """
                ),
                code(
                    "java",
                    """
                    ApnSetting apn = new ApnSetting.Builder()
                            .setEntryName("Example IoT")
                            .setApnName("iot.example")
                            .setApnTypeBitmask(ApnSetting.TYPE_DEFAULT | ApnSetting.TYPE_SUPL)
                            .setProtocol(ApnSetting.PROTOCOL_IP)
                            .setRoamingProtocol(ApnSetting.PROTOCOL_IP)
                            .setOperatorNumeric("90199")
                            .build();
                    int apnId = devicePolicyManager.addOverrideApn(adminComponent, apn);
                    devicePolicyManager.setOverrideApnsEnabled(adminComponent, true);
                    """,
                    filename="ApnPolicy.java",
                ),
                callout(
                    "tip",
                    """
                    <p>The operator numeric is the MCC and MNC from the SIM's IMSI, shown on the
                    SIM's page in the portal. Multi-IMSI SIMs need one override per IMSI
                    range.</p>
                    """,
                ),
            ],
        },
        {
            "type": "article",
            "slug": "apn-settings-ios",
            "title": "APN settings on iOS and iPadOS",
            "kind": "tutorial",
            "difficulty": "beginner",
            "area": "connectivity",
            "tags": ["apn", "ios", "roaming", "sim"],
            "reviewed_days_ago": 365,
            "summary": (
                "Set the APN on iPhone and iPad when the Cellular Network menu is available, "
                "and with a configuration profile when it is not."
            ),
            "body": [
                p(
                    """
                    <p>iPads in vehicles and iPhones used for field service work well on our
                    SIMs. iOS usually shows the APN settings for SIMs from carriers without an
                    Apple carrier bundle, which includes ours.</p>
                    """
                ),
                steps(
                    (
                        "Turn on Data Roaming",
                        "<p><strong>Settings &rarr; Cellular &rarr; Cellular Data Options</strong> "
                        "(on iPad: <strong>Settings &rarr; Cellular Data</strong>) and turn on "
                        "<strong>Data Roaming</strong>.</p>",
                    ),
                    (
                        "Open the APN settings",
                        "<p>In the same menu, tap <strong>Cellular Network</strong> (called "
                        "<em>Cellular Data Network</em> on older iOS versions; on "
                        "iPad: <strong>APN Settings</strong>).</p>",
                    ),
                    (
                        "Enter the APN",
                        "<p>Under <em>Cellular Data</em>, set APN to <code>iot.example</code> "
                        "and leave Username and Password empty. Do the same under <em>LTE "
                        "Setup (Optional)</em> if it is shown.</p>",
                    ),
                    (
                        "Restart cellular data",
                        "<p>Toggle Airplane Mode on and off. The status bar shows LTE when the "
                        "data session is up.</p>",
                    ),
                ),
                callout(
                    "note",
                    """
                    <p>If <strong>Cellular Network</strong> is missing, the SIM or a
                    configuration profile controls the APN. Remove old APN profiles under
                    <strong>Settings &rarr; General &rarr; VPN &amp; Device Management</strong>,
                    or install ours as described below.</p>
                    """,
                ),
                h2("Supervised devices: a configuration profile"),
                p(
                    """
                    <p>For fleets, set the APN with a <em>Cellular</em> payload in a
                    configuration profile from your MDM or Apple Configurator. The payload
                    below sets the default and attach APNs:</p>
                    """
                ),
                code(
                    "xml",
                    """
                    <dict>
                      <key>PayloadType</key>
                      <string>com.apple.cellular</string>
                      <key>PayloadIdentifier</key>
                      <string>com.example-iot.apn</string>
                      <key>PayloadUUID</key>
                      <string>6F1C0E52-3A55-4C0B-9A52-2E7C1C5B0A11</string>
                      <key>PayloadVersion</key>
                      <integer>1</integer>
                      <key>APNs</key>
                      <array>
                        <dict>
                          <key>Name</key>
                          <string>iot.example</string>
                          <key>AuthenticationType</key>
                          <string>PAP</string>
                        </dict>
                      </array>
                      <key>AttachAPN</key>
                      <dict>
                        <key>Name</key>
                        <string>iot.example</string>
                      </dict>
                    </dict>
                    """,
                    filename="cellular-payload.mobileconfig (excerpt)",
                ),
                callout(
                    "warning",
                    """
                    <p>A profile's APN replaces the one set by hand and hides the menu. Remove
                    the profile before moving the device to another provider's SIM.</p>
                    """,
                ),
            ],
        },
    ],
}
