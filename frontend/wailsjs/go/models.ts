export namespace app {
	
	export class AccountInfo {
	    did: string;
	    handle: string;
	    email?: string;
	    status: string;
	    published: boolean;
	    imported: boolean;
	
	    static createFrom(source: any = {}) {
	        return new AccountInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.did = source["did"];
	        this.handle = source["handle"];
	        this.email = source["email"];
	        this.status = source["status"];
	        this.published = source["published"];
	        this.imported = source["imported"];
	    }
	}
	export class ActAsSession {
	    did: string;
	    handle: string;
	    handleVerified: boolean;
	    pds: string;
	    scope: string;
	    allows: string[];
	    expiresAt: string;
	
	    static createFrom(source: any = {}) {
	        return new ActAsSession(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.did = source["did"];
	        this.handle = source["handle"];
	        this.handleVerified = source["handleVerified"];
	        this.pds = source["pds"];
	        this.scope = source["scope"];
	        this.allows = source["allows"];
	        this.expiresAt = source["expiresAt"];
	    }
	}
	export class AuditEntryInfo {
	    id: string;
	    at: string;
	    kind: string;
	    controller: string;
	    controllerHandle: string;
	    actor: string;
	    scope?: string;
	    preset?: string;
	    previousScope?: string;
	    clientId?: string;
	    method?: string;
	    collection?: string;
	    rkey?: string;
	    action?: string;
	
	    static createFrom(source: any = {}) {
	        return new AuditEntryInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.at = source["at"];
	        this.kind = source["kind"];
	        this.controller = source["controller"];
	        this.controllerHandle = source["controllerHandle"];
	        this.actor = source["actor"];
	        this.scope = source["scope"];
	        this.preset = source["preset"];
	        this.previousScope = source["previousScope"];
	        this.clientId = source["clientId"];
	        this.method = source["method"];
	        this.collection = source["collection"];
	        this.rkey = source["rkey"];
	        this.action = source["action"];
	    }
	}
	export class AuditFilterInput {
	    kinds: string[];
	    controller: string;
	    cursor: string;
	    limit: number;
	
	    static createFrom(source: any = {}) {
	        return new AuditFilterInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kinds = source["kinds"];
	        this.controller = source["controller"];
	        this.cursor = source["cursor"];
	        this.limit = source["limit"];
	    }
	}
	export class AuditPage {
	    entries: AuditEntryInfo[];
	    cursor: string;
	
	    static createFrom(source: any = {}) {
	        return new AuditPage(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.entries = this.convertValues(source["entries"], AuditEntryInfo);
	        this.cursor = source["cursor"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class BlobInfo {
	    cid: string;
	    mimeType: string;
	    size: number;
	    // Go type: time
	    createdAt: any;
	
	    static createFrom(source: any = {}) {
	        return new BlobInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.cid = source["cid"];
	        this.mimeType = source["mimeType"];
	        this.size = source["size"];
	        this.createdAt = this.convertValues(source["createdAt"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class BlobPage {
	    blobs: BlobInfo[];
	    cursor: string;
	
	    static createFrom(source: any = {}) {
	        return new BlobPage(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.blobs = this.convertValues(source["blobs"], BlobInfo);
	        this.cursor = source["cursor"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class CapabilityView {
	    kind: string;
	    hosts?: string[];
	    methods?: string[];
	    collections?: string[];
	    nsids?: string[];
	    description?: string;
	
	    static createFrom(source: any = {}) {
	        return new CapabilityView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.hosts = source["hosts"];
	        this.methods = source["methods"];
	        this.collections = source["collections"];
	        this.nsids = source["nsids"];
	        this.description = source["description"];
	    }
	}
	export class Collection {
	    name: string;
	    count: number;
	
	    static createFrom(source: any = {}) {
	        return new Collection(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.count = source["count"];
	    }
	}
	export class CommitOp {
	    action: string;
	    path: string;
	    cid?: string;
	
	    static createFrom(source: any = {}) {
	        return new CommitOp(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.action = source["action"];
	        this.path = source["path"];
	        this.cid = source["cid"];
	    }
	}
	export class CommitInfo {
	    seq: number;
	    rev: string;
	    cid: string;
	    // Go type: time
	    time: any;
	    ops: CommitOp[];
	
	    static createFrom(source: any = {}) {
	        return new CommitInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.seq = source["seq"];
	        this.rev = source["rev"];
	        this.cid = source["cid"];
	        this.time = this.convertValues(source["time"], null);
	        this.ops = this.convertValues(source["ops"], CommitOp);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class ConfigFieldView {
	    key: string;
	    type: string;
	    default: any;
	    value: any;
	    set: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ConfigFieldView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.key = source["key"];
	        this.type = source["type"];
	        this.default = source["default"];
	        this.value = source["value"];
	        this.set = source["set"];
	    }
	}
	export class ControlledInfo {
	    did: string;
	    handle: string;
	    preset: string;
	    scope: string;
	    description: string[];
	    grantedAt: string;
	
	    static createFrom(source: any = {}) {
	        return new ControlledInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.did = source["did"];
	        this.handle = source["handle"];
	        this.preset = source["preset"];
	        this.scope = source["scope"];
	        this.description = source["description"];
	        this.grantedAt = source["grantedAt"];
	    }
	}
	export class ControllerInfo {
	    did: string;
	    handle: string;
	    preset: string;
	    scope: string;
	    description: string[];
	    grantedAt: string;
	    grantedBy: string;
	    updatedAt?: string;
	    lastUsed?: string;
	    revokedAt?: string;
	
	    static createFrom(source: any = {}) {
	        return new ControllerInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.did = source["did"];
	        this.handle = source["handle"];
	        this.preset = source["preset"];
	        this.scope = source["scope"];
	        this.description = source["description"];
	        this.grantedAt = source["grantedAt"];
	        this.grantedBy = source["grantedBy"];
	        this.updatedAt = source["updatedAt"];
	        this.lastUsed = source["lastUsed"];
	        this.revokedAt = source["revokedAt"];
	    }
	}
	export class ControllerInput {
	    who: string;
	    preset: string;
	    scope: string;
	
	    static createFrom(source: any = {}) {
	        return new ControllerInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.who = source["who"];
	        this.preset = source["preset"];
	        this.scope = source["scope"];
	    }
	}
	export class CreateAccountInput {
	    handle: string;
	    email: string;
	    password: string;
	
	    static createFrom(source: any = {}) {
	        return new CreateAccountInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.handle = source["handle"];
	        this.email = source["email"];
	        this.password = source["password"];
	    }
	}
	export class GranteeKeyInfo {
	    did: string;
	    handle: string;
	    keyId: string;
	    kemId: number;
	    previousKeyId: string;
	    keyChanged: boolean;
	    alreadyGranted: boolean;
	
	    static createFrom(source: any = {}) {
	        return new GranteeKeyInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.did = source["did"];
	        this.handle = source["handle"];
	        this.keyId = source["keyId"];
	        this.kemId = source["kemId"];
	        this.previousKeyId = source["previousKeyId"];
	        this.keyChanged = source["keyChanged"];
	        this.alreadyGranted = source["alreadyGranted"];
	    }
	}
	export class HookView {
	    name: string;
	    description: string;
	    collections?: string[];
	    nsids?: string[];
	    priority: number;
	
	    static createFrom(source: any = {}) {
	        return new HookView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.description = source["description"];
	        this.collections = source["collections"];
	        this.nsids = source["nsids"];
	        this.priority = source["priority"];
	    }
	}
	export class ImportInput {
	    source: string;
	    pdsUrl: string;
	    identifier: string;
	    password: string;
	    carPath: string;
	    handle: string;
	    localPassword: string;
	
	    static createFrom(source: any = {}) {
	        return new ImportInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.source = source["source"];
	        this.pdsUrl = source["pdsUrl"];
	        this.identifier = source["identifier"];
	        this.password = source["password"];
	        this.carPath = source["carPath"];
	        this.handle = source["handle"];
	        this.localPassword = source["localPassword"];
	    }
	}
	export class ImportStatus {
	    phase: string;
	    did: string;
	    handle: string;
	    pds: string;
	    repoBytes: number;
	    records: number;
	    blobsDone: number;
	    blobsTotal: number;
	    blobBytes: number;
	    missing: string[];
	    error?: string;
	    // Go type: time
	    startedAt: any;
	    // Go type: time
	    updatedAt: any;
	
	    static createFrom(source: any = {}) {
	        return new ImportStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.phase = source["phase"];
	        this.did = source["did"];
	        this.handle = source["handle"];
	        this.pds = source["pds"];
	        this.repoBytes = source["repoBytes"];
	        this.records = source["records"];
	        this.blobsDone = source["blobsDone"];
	        this.blobsTotal = source["blobsTotal"];
	        this.blobBytes = source["blobBytes"];
	        this.missing = source["missing"];
	        this.error = source["error"];
	        this.startedAt = this.convertValues(source["startedAt"], null);
	        this.updatedAt = this.convertValues(source["updatedAt"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class LimitsView {
	    memoryMiB: number;
	    beforeTimeoutMs: number;
	    afterTimeoutMs: number;
	    onError: string;
	    kvQuotaKiB: number;
	
	    static createFrom(source: any = {}) {
	        return new LimitsView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.memoryMiB = source["memoryMiB"];
	        this.beforeTimeoutMs = source["beforeTimeoutMs"];
	        this.afterTimeoutMs = source["afterTimeoutMs"];
	        this.onError = source["onError"];
	        this.kvQuotaKiB = source["kvQuotaKiB"];
	    }
	}
	export class LogLine {
	    // Go type: time
	    time: any;
	    level: string;
	    message: string;
	
	    static createFrom(source: any = {}) {
	        return new LogLine(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.time = this.convertValues(source["time"], null);
	        this.level = source["level"];
	        this.message = source["message"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class NewPrivateKey {
	    keyId: string;
	    recoveryCode: string;
	
	    static createFrom(source: any = {}) {
	        return new NewPrivateKey(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.keyId = source["keyId"];
	        this.recoveryCode = source["recoveryCode"];
	    }
	}
	export class PersonRef {
	    did: string;
	    handle: string;
	
	    static createFrom(source: any = {}) {
	        return new PersonRef(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.did = source["did"];
	        this.handle = source["handle"];
	    }
	}
	export class PluginErrorView {
	    at: string;
	    error: string;
	
	    static createFrom(source: any = {}) {
	        return new PluginErrorView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.at = source["at"];
	        this.error = source["error"];
	    }
	}
	export class PluginView {
	    id: string;
	    name: string;
	    version: string;
	    api: number;
	    wasm: string;
	    sha256: string;
	    state: string;
	    unverified: boolean;
	    source: string;
	    capabilities: CapabilityView[];
	    granted: CapabilityView[];
	    hooks: HookView[];
	    limits: LimitsView;
	    config: ConfigFieldView[];
	    calls: number;
	    errors: number;
	    p50Micros: number;
	    p99Micros: number;
	    recentErrors: PluginErrorView[];
	
	    static createFrom(source: any = {}) {
	        return new PluginView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.version = source["version"];
	        this.api = source["api"];
	        this.wasm = source["wasm"];
	        this.sha256 = source["sha256"];
	        this.state = source["state"];
	        this.unverified = source["unverified"];
	        this.source = source["source"];
	        this.capabilities = this.convertValues(source["capabilities"], CapabilityView);
	        this.granted = this.convertValues(source["granted"], CapabilityView);
	        this.hooks = this.convertValues(source["hooks"], HookView);
	        this.limits = this.convertValues(source["limits"], LimitsView);
	        this.config = this.convertValues(source["config"], ConfigFieldView);
	        this.calls = source["calls"];
	        this.errors = source["errors"];
	        this.p50Micros = source["p50Micros"];
	        this.p99Micros = source["p99Micros"];
	        this.recentErrors = this.convertValues(source["recentErrors"], PluginErrorView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class PresetInfo {
	    name: string;
	    scope: string;
	    description: string[];
	
	    static createFrom(source: any = {}) {
	        return new PresetInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.scope = source["scope"];
	        this.description = source["description"];
	    }
	}
	export class PrivateCollectionInfo {
	    collection: string;
	    epoch: number;
	    records: number;
	    grantees: number;
	    hasLexicon: boolean;
	
	    static createFrom(source: any = {}) {
	        return new PrivateCollectionInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.collection = source["collection"];
	        this.epoch = source["epoch"];
	        this.records = source["records"];
	        this.grantees = source["grantees"];
	        this.hasLexicon = source["hasLexicon"];
	    }
	}
	export class PrivateGrantInput {
	    collection: string;
	    did: string;
	    keyId: string;
	    confirmKeyChange: boolean;
	
	    static createFrom(source: any = {}) {
	        return new PrivateGrantInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.collection = source["collection"];
	        this.did = source["did"];
	        this.keyId = source["keyId"];
	        this.confirmKeyChange = source["confirmKeyChange"];
	    }
	}
	export class PrivateGrantee {
	    did: string;
	    handle: string;
	    keyId: string;
	    epochs: number[];
	    grantedAt: string;
	    active: boolean;
	    revokedAt?: string;
	
	    static createFrom(source: any = {}) {
	        return new PrivateGrantee(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.did = source["did"];
	        this.handle = source["handle"];
	        this.keyId = source["keyId"];
	        this.epochs = source["epochs"];
	        this.grantedAt = source["grantedAt"];
	        this.active = source["active"];
	        this.revokedAt = source["revokedAt"];
	    }
	}
	export class PrivateRecordDetail {
	    collection: string;
	    rkey: string;
	    json: string;
	    epoch: number;
	    currentEpoch: number;
	    cid: string;
	    rev: string;
	
	    static createFrom(source: any = {}) {
	        return new PrivateRecordDetail(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.collection = source["collection"];
	        this.rkey = source["rkey"];
	        this.json = source["json"];
	        this.epoch = source["epoch"];
	        this.currentEpoch = source["currentEpoch"];
	        this.cid = source["cid"];
	        this.rev = source["rev"];
	    }
	}
	export class PrivateRecordSummary {
	    rkey: string;
	    preview: string;
	    createdAt?: string;
	    epoch: number;
	
	    static createFrom(source: any = {}) {
	        return new PrivateRecordSummary(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.rkey = source["rkey"];
	        this.preview = source["preview"];
	        this.createdAt = source["createdAt"];
	        this.epoch = source["epoch"];
	    }
	}
	export class PrivateRecordPage {
	    records: PrivateRecordSummary[];
	    cursor: string;
	
	    static createFrom(source: any = {}) {
	        return new PrivateRecordPage(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.records = this.convertValues(source["records"], PrivateRecordSummary);
	        this.cursor = source["cursor"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class PrivateRecordRef {
	    collection: string;
	    rkey: string;
	    cid: string;
	    epoch: number;
	    rev: string;
	    validationStatus: string;
	
	    static createFrom(source: any = {}) {
	        return new PrivateRecordRef(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.collection = source["collection"];
	        this.rkey = source["rkey"];
	        this.cid = source["cid"];
	        this.epoch = source["epoch"];
	        this.rev = source["rev"];
	        this.validationStatus = source["validationStatus"];
	    }
	}
	
	export class PrivateRevokeResult {
	    epoch: number;
	    resealed: number;
	    reencrypted: number;
	
	    static createFrom(source: any = {}) {
	        return new PrivateRevokeResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.epoch = source["epoch"];
	        this.resealed = source["resealed"];
	        this.reencrypted = source["reencrypted"];
	    }
	}
	export class PrivateRotation {
	    epoch: number;
	    reason: string;
	    createdAt: string;
	    revoked: PersonRef[];
	
	    static createFrom(source: any = {}) {
	        return new PrivateRotation(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.epoch = source["epoch"];
	        this.reason = source["reason"];
	        this.createdAt = source["createdAt"];
	        this.revoked = this.convertValues(source["revoked"], PersonRef);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class PrivateStatus {
	    hasIdentity: boolean;
	    keyId: string;
	    kemId: number;
	    publishedKeyId: string;
	    recoveryConfirmedAt: string;
	    passphraseBackupAt: string;
	    seedPresent: boolean;
	    needsRecovery: boolean;
	    warningAcknowledgedAt: string;
	
	    static createFrom(source: any = {}) {
	        return new PrivateStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.hasIdentity = source["hasIdentity"];
	        this.keyId = source["keyId"];
	        this.kemId = source["kemId"];
	        this.publishedKeyId = source["publishedKeyId"];
	        this.recoveryConfirmedAt = source["recoveryConfirmedAt"];
	        this.passphraseBackupAt = source["passphraseBackupAt"];
	        this.seedPresent = source["seedPresent"];
	        this.needsRecovery = source["needsRecovery"];
	        this.warningAcknowledgedAt = source["warningAcknowledgedAt"];
	    }
	}
	export class RecordDetail {
	    uri: string;
	    collection: string;
	    rkey: string;
	    cid: string;
	    json: string;
	    commitRev: string;
	    commitCid?: string;
	
	    static createFrom(source: any = {}) {
	        return new RecordDetail(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.uri = source["uri"];
	        this.collection = source["collection"];
	        this.rkey = source["rkey"];
	        this.cid = source["cid"];
	        this.json = source["json"];
	        this.commitRev = source["commitRev"];
	        this.commitCid = source["commitCid"];
	    }
	}
	export class RecordSummary {
	    uri: string;
	    collection: string;
	    rkey: string;
	    cid: string;
	    createdAt?: string;
	    preview: string;
	
	    static createFrom(source: any = {}) {
	        return new RecordSummary(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.uri = source["uri"];
	        this.collection = source["collection"];
	        this.rkey = source["rkey"];
	        this.cid = source["cid"];
	        this.createdAt = source["createdAt"];
	        this.preview = source["preview"];
	    }
	}
	export class RecordPage {
	    records: RecordSummary[];
	    cursor: string;
	
	    static createFrom(source: any = {}) {
	        return new RecordPage(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.records = this.convertValues(source["records"], RecordSummary);
	        this.cursor = source["cursor"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class RecordRef {
	    uri: string;
	    rkey: string;
	    cid: string;
	    commitCid: string;
	    commitRev: string;
	    validationStatus?: string;
	
	    static createFrom(source: any = {}) {
	        return new RecordRef(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.uri = source["uri"];
	        this.rkey = source["rkey"];
	        this.cid = source["cid"];
	        this.commitCid = source["commitCid"];
	        this.commitRev = source["commitRev"];
	        this.validationStatus = source["validationStatus"];
	    }
	}
	
	export class ServerStatus {
	    running: boolean;
	    url: string;
	    port: number;
	    // Go type: time
	    startedAt: any;
	    dataDir: string;
	    backend: string;
	    diskBytes: number;
	    databaseBytes: number;
	    blobBytes: number;
	    blobCount: number;
	    plcUrl: string;
	    didDocPointsHere: boolean;
	    didDocNote: string;
	    account?: AccountInfo;
	    network: string;
	    error?: string;
	
	    static createFrom(source: any = {}) {
	        return new ServerStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.running = source["running"];
	        this.url = source["url"];
	        this.port = source["port"];
	        this.startedAt = this.convertValues(source["startedAt"], null);
	        this.dataDir = source["dataDir"];
	        this.backend = source["backend"];
	        this.diskBytes = source["diskBytes"];
	        this.databaseBytes = source["databaseBytes"];
	        this.blobBytes = source["blobBytes"];
	        this.blobCount = source["blobCount"];
	        this.plcUrl = source["plcUrl"];
	        this.didDocPointsHere = source["didDocPointsHere"];
	        this.didDocNote = source["didDocNote"];
	        this.account = this.convertValues(source["account"], AccountInfo);
	        this.network = source["network"];
	        this.error = source["error"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Settings {
	    dataDir: string;
	    backend: string;
	    port: number;
	    plcUrl: string;
	    handleDomains: string[];
	    relays: string[];
	    logLevel: string;
	    keyLocation: string;
	    dev: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Settings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.dataDir = source["dataDir"];
	        this.backend = source["backend"];
	        this.port = source["port"];
	        this.plcUrl = source["plcUrl"];
	        this.handleDomains = source["handleDomains"];
	        this.relays = source["relays"];
	        this.logLevel = source["logLevel"];
	        this.keyLocation = source["keyLocation"];
	        this.dev = source["dev"];
	    }
	}
	export class SharedRecord {
	    rkey: string;
	    preview: string;
	    createdAt?: string;
	    epoch: number;
	    json: string;
	    cid: string;
	
	    static createFrom(source: any = {}) {
	        return new SharedRecord(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.rkey = source["rkey"];
	        this.preview = source["preview"];
	        this.createdAt = source["createdAt"];
	        this.epoch = source["epoch"];
	        this.json = source["json"];
	        this.cid = source["cid"];
	    }
	}
	export class SharedCollection {
	    ownerDid: string;
	    ownerHandle: string;
	    collection: string;
	    records: SharedRecord[];
	    readAt: string;
	
	    static createFrom(source: any = {}) {
	        return new SharedCollection(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.ownerDid = source["ownerDid"];
	        this.ownerHandle = source["ownerHandle"];
	        this.collection = source["collection"];
	        this.records = this.convertValues(source["records"], SharedRecord);
	        this.readAt = source["readAt"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class SharedRef {
	    ownerDid: string;
	    ownerHandle: string;
	    collection: string;
	    openedAt: string;
	
	    static createFrom(source: any = {}) {
	        return new SharedRef(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.ownerDid = source["ownerDid"];
	        this.ownerHandle = source["ownerHandle"];
	        this.collection = source["collection"];
	        this.openedAt = source["openedAt"];
	    }
	}
	export class State {
	    phase: string;
	    keyLocation: string;
	    passphraseExists: boolean;
	    keychainProblem?: string;
	    startError?: string;
	    account?: AccountInfo;
	    dev: boolean;
	
	    static createFrom(source: any = {}) {
	        return new State(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.phase = source["phase"];
	        this.keyLocation = source["keyLocation"];
	        this.passphraseExists = source["passphraseExists"];
	        this.keychainProblem = source["keychainProblem"];
	        this.startError = source["startError"];
	        this.account = this.convertValues(source["account"], AccountInfo);
	        this.dev = source["dev"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

