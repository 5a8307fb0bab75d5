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

