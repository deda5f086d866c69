/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where a rule applies: its logsource (category / product / service) mapped to the records
 * the sweep reads, after the Sigma taxonomy appendix and the pipelines everyone uses with it:
 *
 *   category webserver         Apache/Nginx and IIS/W3C access logs
 *   category proxy             Zeek http, Suricata http events, proxy CSV/CEF
 *   category dns               Zeek dns, Suricata dns events, JSON with dns.question.name
 *   category firewall          CEF, Zeek conn, Suricata flow events
 *   product windows + category the Sysmon event id of the category (process_creation: 1, or
 *                              Security 4688; image_load: 7; registry_set: 13 ...), or the
 *                              PowerShell event (ps_script: 4104 ...)
 *   product windows + service  the event log channel (security: Security, sysmon:
 *                              Microsoft-Windows-Sysmon/Operational, msexchange-management:
 *                              MSExchange Management ...)
 *   product linux + service    syslog records of that program (sshd, sudo, cron ...; syslog
 *                              and auth: any program)
 *   product zeek + service     Zeek records of that log (conn, dns, http, smb_files ...)
 *   product exchange + service ruru's own: Exchange CSV logs (httpproxy, ecp, oabgen)
 *
 * A logsource ruru maps to no format (Cisco, OpenCanary, a JVM's log, a Windows channel it
 * does not know) runs only on the inputs the user ties to it (tie.c): plain text is no
 * product's log, and a keyword of a Cisco rule ("dir", "show") is found in any text. Some
 * classes are only presumed from the format (syslog is a Linux host's, a CSV log with a
 * header Exchange's, CEF a firewall's): a tie of the input overrides them. `ruru rules lint`
 * lists the rules that need a tie. The table is in docs/rules.md.
 */
#include <string.h>

#include "base/str.h"
#include "logs/formats.h"
#include "rules/sigma_int.h"

#define SYSMON "Microsoft-Windows-Sysmon/Operational"
#define PS     "Microsoft-Windows-PowerShell/Operational"

static const struct {
    const char *category;
    struct ls_alt alts[4];
} WIN_CATEGORIES[] = {
        {"process_creation", {{SYSMON, NULL, 1}, {"Security", NULL, 4688}}},
        {"file_change", {{SYSMON, NULL, 2}}},
        {"network_connection", {{SYSMON, NULL, 3}, {"Security", NULL, 5156}}},
        {"sysmon_status", {{SYSMON, NULL, 4}, {SYSMON, NULL, 16}}},
        {"process_termination", {{SYSMON, NULL, 5}, {"Security", NULL, 4689}}},
        {"driver_load", {{SYSMON, NULL, 6}}},
        {"image_load", {{SYSMON, NULL, 7}}},
        {"create_remote_thread", {{SYSMON, NULL, 8}}},
        {"raw_access_thread", {{SYSMON, NULL, 9}}},
        {"process_access", {{SYSMON, NULL, 10}}},
        {"file_event", {{SYSMON, NULL, 11}}},
        {"registry_add", {{SYSMON, NULL, 12}}},
        {"registry_delete", {{SYSMON, NULL, 12}}},
        {"registry_event", {{SYSMON, NULL, 12}, {SYSMON, NULL, 13}, {SYSMON, NULL, 14}}},
        {"registry_set", {{SYSMON, NULL, 13}}},
        {"registry_rename", {{SYSMON, NULL, 14}}},
        {"create_stream_hash", {{SYSMON, NULL, 15}}},
        {"pipe_created", {{SYSMON, NULL, 17}, {SYSMON, NULL, 18}}},
        {"wmi_event", {{SYSMON, NULL, 19}, {SYSMON, NULL, 20}, {SYSMON, NULL, 21}}},
        {"dns_query", {{SYSMON, NULL, 22}}},
        {"file_delete", {{SYSMON, NULL, 23}, {SYSMON, NULL, 26}}},
        {"clipboard_change", {{SYSMON, NULL, 24}}},
        {"process_tampering", {{SYSMON, NULL, 25}}},
        {"file_delete_detected", {{SYSMON, NULL, 26}}},
        {"file_block_executable", {{SYSMON, NULL, 27}}},
        {"file_block_shredding", {{SYSMON, NULL, 28}}},
        {"file_executable_detected", {{SYSMON, NULL, 29}}},
        {"ps_module", {{PS, NULL, 4103}}},
        {"ps_script", {{PS, NULL, 4104}}},
        {"ps_classic_start", {{"Windows PowerShell", NULL, 400}}},
        {"ps_classic_provider_start", {{"Windows PowerShell", NULL, 600}}},
        {"ps_classic_script", {{"Windows PowerShell", NULL, 800}}},
};

static const struct {
    const char *service, *channel;
} WIN_SERVICES[] = {
        {"security", "Security"},
        {"system", "System"},
        {"application", "Application"},
        {"sysmon", SYSMON},
        {"powershell", PS},
        {"powershell-classic", "Windows PowerShell"},
        {"taskscheduler", "Microsoft-Windows-TaskScheduler/Operational"},
        {"wmi", "Microsoft-Windows-WMI-Activity/Operational"},
        {"dns-server", "DNS Server"},
        {"dns-server-analytic", "Microsoft-Windows-DNS-Server/Analytical"},
        {"dns-client", "Microsoft-Windows-DNS Client Events/Operational"},
        {"driver-framework", "Microsoft-Windows-DriverFrameworks-UserMode/Operational"},
        {"ntlm", "Microsoft-Windows-NTLM/Operational"},
        {"windefend", "Microsoft-Windows-Windows Defender/Operational"},
        {"msexchange-management", "MSExchange Management"},
        {"bits-client", "Microsoft-Windows-Bits-Client/Operational"},
        {"codeintegrity-operational", "Microsoft-Windows-CodeIntegrity/Operational"},
        {"firewall-as", "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"},
        {"terminalservices-localsessionmanager",
         "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"},
        {"openssh", "OpenSSH/Operational"},
        {"ldap_debug", "Microsoft-Windows-LDAP-Client/Debug"},
        {"dhcp", "Microsoft-Windows-DHCP-Server/Operational"},
        {"lsa-server", "Microsoft-Windows-LSA/Operational"},
        {"capi2", "Microsoft-Windows-CAPI2/Operational"},
        {"printservice-admin", "Microsoft-Windows-PrintService/Admin"},
        {"printservice-operational", "Microsoft-Windows-PrintService/Operational"},
        {"smbclient-security", "Microsoft-Windows-SmbClient/Security"},
        {"smbclient-connectivity", "Microsoft-Windows-SmbClient/Connectivity"},
        {"appxdeployment-server", "Microsoft-Windows-AppXDeploymentServer/Operational"},
        {"appxpackaging-om", "Microsoft-Windows-AppxPackaging/Operational"},
        {"appmodel-runtime", "Microsoft-Windows-AppModel-Runtime/Admin"},
        {"application-experience", "Microsoft-Windows-Application-Experience/Program-Telemetry"},
        {"shell-core", "Microsoft-Windows-Shell-Core/Operational"},
        {"diagnosis-scripted", "Microsoft-Windows-Diagnosis-Scripted/Operational"},
        {"certificateservicesclient-lifecycle-system",
         "Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational"},
        {"kernel-shimengine", "Microsoft-Windows-Kernel-ShimEngine/Operational"},
        {"vhdmp", "Microsoft-Windows-VHDMP-Operational"},
        {"bitlocker", "Microsoft-Windows-BitLocker/BitLocker Management"},
        {"iis-configuration", "Microsoft-IIS-Configuration/Operational"},
        {"microsoft-servicebus-client", "Microsoft-ServiceBus-Client"},
        {"hyper-v-worker", "Microsoft-Windows-Hyper-V-Worker"},
        {"ntfs", "Microsoft-Windows-Ntfs/Operational"},
        {"security-mitigations", "Microsoft-Windows-Security-Mitigations/KernelMode"},
        {"sysmon-classic", SYSMON},
};

static bool eq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

void ruru_sigma_logsource(struct ruru_rules *rs, struct ruru_sigma_rule *r)
{
    const char *c = r->ls.category, *p = r->ls.product, *s = r->ls.service;

    r->ls_class = LS_ANY;
    r->n_ls_alts = 0;
    r->ls_name = NULL;
    if (r->corr != NULL)
        return; /* correlations see the matches of their rules, not records */
    /* the categories of network and web logs, whatever product writes them (IIS on Windows) */
    if (eq(c, "webserver")) {
        r->ls_class = LS_WEB;
        return;
    }
    if (eq(c, "proxy")) {
        r->ls_class = LS_PROXY;
        return;
    }
    if (eq(c, "firewall")) {
        r->ls_class = LS_FIREWALL;
        return;
    }
    if (eq(c, "dns") || (eq(c, "dns_query") && !eq(p, "windows"))) {
        r->ls_class = LS_DNS;
        return;
    }
    if (eq(p, "windows")) {
        r->ls_class = LS_WINDOWS;
        for (size_t i = 0; c != NULL && i < sizeof(WIN_CATEGORIES) / sizeof(WIN_CATEGORIES[0]); i++)
            if (eq(c, WIN_CATEGORIES[i].category)) {
                for (size_t k = 0; k < 4 && WIN_CATEGORIES[i].alts[k].channel != NULL; k++)
                    r->ls_alts[r->n_ls_alts++] = WIN_CATEGORIES[i].alts[k];
                return;
            }
        for (size_t i = 0; s != NULL && i < sizeof(WIN_SERVICES) / sizeof(WIN_SERVICES[0]); i++)
            if (eq(s, WIN_SERVICES[i].service)) {
                r->ls_alts[0].channel = WIN_SERVICES[i].channel;
                r->n_ls_alts = 1;
                return;
            }
        if (c != NULL || s != NULL) {
            /* a Windows source we do not know: which events it means is not guessed */
            r->ls_class = LS_ANY;
            rs->n_unmapped++;
        }
        return;
    }
    if (eq(p, "apache") || eq(p, "nginx") || eq(s, "apache") || eq(s, "nginx")) {
        r->ls_class = LS_WEB;
        return;
    }
    if (eq(p, "zeek")) {
        r->ls_class = LS_ZEEK;
        r->ls_name = s;
        return;
    }
    if (eq(p, "suricata")) {
        r->ls_class = LS_EVE;
        r->ls_name = s;
        return;
    }
    if (eq(p, "exchange")) {
        r->ls_class = LS_EXCHANGE;
        r->ls_name = s;
        return;
    }
    if (eq(p, "linux") && c == NULL) {
        r->ls_class = LS_LINUX;
        /* no service, the auth log or the syslog file: any program */
        r->ls_name = s == NULL || eq(s, "auth") || eq(s, "syslog") ? NULL : s;
        return;
    }
    rs->n_unmapped++;
}

/* ---- facts about a record ------------------------------------------------------------- */

/* The value of the record's first field named `native` (n bytes), or NULL; get() takes a
 * literal. Asked a dozen times a record: the lengths are compared first. */
static const struct ruru_str *get_n(const struct ruru_record *r, const char *native, size_t n)
{
    for (size_t i = 0; i < r->n_fields; i++)
        if (r->fields[i].name.len == n && memcmp(r->fields[i].name.ptr, native, n) == 0)
            return &r->fields[i].value;
    return NULL;
}

#define get(r, lit) get_n((r), "" lit, sizeof(lit) - 1)

static uint32_t num(const struct ruru_str *v)
{
    uint32_t n = 0;

    for (size_t i = 0; v != NULL && i < v->len && i < 10; i++) {
        if (!ruru_is_digit(v->ptr[i]))
            return 0;
        n = n * 10 + (uint32_t)(v->ptr[i] - '0');
    }
    return n;
}

static void set(struct ruru_str *out, const struct ruru_str *v)
{
    if (v != NULL)
        *out = *v;
}

void ruru_sigma_facts(const struct ruru_record *r, struct rec_facts *f)
{
    const struct ruru_str *v;

    memset(f, 0, sizeof(*f));
    if (r == NULL)
        return;
    switch (r->format) {
    case RURU_LOG_APACHE_COMMON:
    case RURU_LOG_APACHE_COMBINED:
    case RURU_LOG_W3C:
        f->cls = LS_WEB;
        return;
    case RURU_LOG_ZEEK:
    case RURU_LOG_ZEEK_JSON:
        f->cls = LS_ZEEK;
        if (r->subtype != NULL)
            f->name = ruru_str_make(r->subtype, strlen(r->subtype));
        else if (get(r, "query") != NULL && get(r, "qtype") != NULL)
            f->name = ruru_str_make("dns", 3);
        else if (get(r, "method") != NULL && get(r, "uri") != NULL)
            f->name = ruru_str_make("http", 4);
        else if (get(r, "conn_state") != NULL)
            f->name = ruru_str_make("conn", 4);
        if (ruru_str_eq(f->name, "http"))
            f->cls |= LS_PROXY;
        else if (ruru_str_eq(f->name, "dns"))
            f->cls |= LS_DNS;
        else if (ruru_str_eq(f->name, "conn"))
            f->cls |= LS_FIREWALL;
        return;
    case RURU_LOG_EVE:
        f->cls = LS_EVE;
        set(&f->name, get(r, "event_type"));
        if (ruru_str_eq(f->name, "http"))
            f->cls |= LS_PROXY;
        else if (ruru_str_eq(f->name, "dns"))
            f->cls |= LS_DNS;
        else if (ruru_str_eq(f->name, "flow") || ruru_str_eq(f->name, "netflow"))
            f->cls |= LS_FIREWALL;
        return;
    case RURU_LOG_SYSLOG:
        /* a Linux host's, presumably: network devices write syslog too (a tie says so) */
        f->cls = f->presumed = LS_LINUX;
        set(&f->name, get(r, "tag"));
        return;
    case RURU_LOG_CEF:
        f->cls = f->presumed = LS_FIREWALL;
        return;
    case RURU_LOG_CSV:
        /* CSV logs with a header are Exchange's more often than anything's; HttpProxy logs are
         * told by their columns, the others (ECP, OAB generator ...) are left unnamed, so every
         * Exchange rule sees them and their content decides. */
        f->cls = f->presumed = LS_EXCHANGE;
        if (get(r, "AnchorMailbox") != NULL || get(r, "UrlStem") != NULL) {
            f->cls |= LS_PROXY;
            f->presumed = 0; /* its columns are HttpProxy's */
            f->name = ruru_str_make("httpproxy", 9);
        }
        return;
    case RURU_LOG_JSON:
        if ((v = get(r, "Event.System.EventID")) != NULL ||
            (v = get(r, "Event.System.EventID.#text")) != NULL ||
            (v = get(r, "winlog.event_id")) != NULL || (v = get(r, "EventID")) != NULL) {
            f->cls = LS_WINDOWS;
            f->event = num(v);
            if ((v = get(r, "Event.System.Channel")) != NULL ||
                (v = get(r, "winlog.channel")) != NULL || (v = get(r, "Channel")) != NULL)
                f->channel = *v;
            if ((v = get(r, "Event.System.Provider.#attributes.Name")) != NULL ||
                (v = get(r, "Event.System.Provider.@Name")) != NULL ||
                (v = get(r, "winlog.provider_name")) != NULL ||
                (v = get(r, "Provider_Name")) != NULL)
                f->provider = *v;
            return;
        }
        /* journald's JSON export (journalctl -o json): a Linux host's, the program named */
        if ((v = get(r, "SYSLOG_IDENTIFIER")) != NULL && get(r, "MESSAGE") != NULL) {
            f->cls = LS_LINUX;
            f->name = *v;
            return;
        }
        if (get(r, "dns.question.name") != NULL)
            f->cls |= LS_DNS;
        if (get(r, "url.original") != NULL && get(r, "http.request.method") != NULL)
            f->cls |= LS_PROXY;
        return;
    default:
        return;
    }
}

uint32_t ruru_sigma_format_cls(int format, uint32_t cls)
{
    /* as ruru_sigma_facts gives them */
    switch (format) {
    case RURU_LOG_ZEEK_JSON:
        return cls | LS_ZEEK | LS_PROXY | LS_DNS | LS_FIREWALL;
    case RURU_LOG_EVE:
        return cls | LS_EVE | LS_PROXY | LS_DNS | LS_FIREWALL;
    case RURU_LOG_JSON:
        return cls | LS_WINDOWS | LS_LINUX | LS_DNS | LS_PROXY;
    default:
        return cls;
    }
}

/* The classes of an input's lines that are no record, by its format (enum ruru_log_kind). */
uint32_t ruru_sigma_kind_cls(int kind, uint32_t *presumed)
{
    *presumed = 0;
    switch (kind) {
    case RURU_KIND_APACHE:
    case RURU_KIND_W3C:
        return LS_WEB;
    case RURU_KIND_ZEEK_TSV:
    case RURU_KIND_ZEEK_JSON:
        return LS_ZEEK;
    case RURU_KIND_EVE:
        return LS_EVE;
    case RURU_KIND_SYSLOG:
        return *presumed = LS_LINUX;
    case RURU_KIND_CEF:
        return *presumed = LS_FIREWALL;
    case RURU_KIND_CSV:
        return *presumed = LS_EXCHANGE;
    default:
        return 0; /* text, JSON of no known source: nothing unless tied */
    }
}

void ruru_sigma_input_facts(const struct ruru_rules_input *in, bool is_record, struct rec_facts *f)
{
    if (!is_record) {
        memset(f, 0, sizeof(*f));
        if (in != NULL) {
            f->cls = in->base_cls;
            f->presumed = in->presumed;
        }
    }
    if (in != NULL && in->tied)
        f->cls &= ~f->presumed;
}

/* Programs that write the logs of a Linux logsource's service, where their names differ. */
static const struct {
    const char *service;
    const char *programs[5];
} LINUX_PROGRAMS[] = {
        {"cron", {"cron", "crond", "anacron", NULL}},
        {"clamav", {"clamd", "freshclam", "clamscan", "clamav-milter", NULL}},
        {"auditd", {"auditd", "audit", "audispd", NULL}},
        {"guacamole", {"guacd", "guacamole", NULL}},
};

/* Is the syslog program `tag` ("sshd", "sshd(pam_unix)", "/usr/sbin/cron", "CRON") the one of
 * Linux service `service`? */
static bool program_is(struct ruru_str tag, const char *service)
{
    const char *slash, *paren;

    if (tag.len == 0)
        return false; /* a line without a program */
    for (slash = tag.ptr + tag.len; slash > tag.ptr && slash[-1] != '/'; slash--)
        ;
    tag = ruru_str_make(slash, tag.len - (size_t)(slash - tag.ptr));
    if ((paren = memchr(tag.ptr, '(', tag.len)) != NULL)
        tag.len = (size_t)(paren - tag.ptr); /* sshd(pam_unix): sshd's PAM module */
    for (size_t i = 0; i < sizeof(LINUX_PROGRAMS) / sizeof(LINUX_PROGRAMS[0]); i++)
        if (eq(service, LINUX_PROGRAMS[i].service)) {
            for (size_t k = 0; LINUX_PROGRAMS[i].programs[k] != NULL; k++)
                if (ruru_str_ieq(tag, LINUX_PROGRAMS[i].programs[k]))
                    return true;
            return false;
        }
    return ruru_str_ieq(tag, service);
}

bool ruru_sigma_applies(const struct ruru_sigma_rule *rule,
                        const struct rec_facts *f,
                        const struct ruru_rules_input *in)
{
    /* the user tied the rule's logsource to this input */
    if (in != NULL && in->rules != NULL && (in->rules[rule->index / 64] >> (rule->index % 64) & 1))
        return true;
    /* a logsource ruru maps to no format runs on tied inputs only */
    if (rule->ls_class == LS_ANY)
        return false;
    if (!(rule->ls_class & f->cls))
        return false;
    if (rule->ls_class == LS_WINDOWS && rule->n_ls_alts > 0) {
        for (size_t i = 0; i < rule->n_ls_alts; i++) {
            const struct ls_alt *a = &rule->ls_alts[i];
            if (a->event != 0 && a->event != f->event)
                continue;
            /* a record without a channel (some exports drop it) is judged by its event id */
            if (a->channel != NULL && f->channel.len > 0 && !ruru_str_ieq(f->channel, a->channel))
                continue;
            return true;
        }
        return false;
    }
    if (rule->ls_class == LS_EXCHANGE && rule->ls_name != NULL)
        return f->name.len == 0 || ruru_str_ieq(f->name, rule->ls_name);
    if (rule->ls_class == LS_LINUX && rule->ls_name != NULL)
        return program_is(f->name, rule->ls_name);
    if (rule->ls_name != NULL && !(rule->ls_class & (LS_WEB | LS_PROXY | LS_DNS | LS_FIREWALL)))
        return ruru_str_ieq(f->name, rule->ls_name);
    return true;
}
