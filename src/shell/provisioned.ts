// Start the cloud link from the provisioned settings (boardId, boardKey, mqttHost, mqttPort,
// mqttProto, mqttUser, mqttPass); without them the board runs locally and says so.
import { CloudLink } from "./cloud"
import { loadJson } from "./persist"
import { Supervisor } from "../core/supervisor"
import { ShedHardware } from "./control-loop"

export async function startProvisionedCloud(sup: Supervisor, hw: ShedHardware): Promise<CloudLink> {
    const boardId = await loadJson("boardId")
    const keyHex = await loadJson("boardKey")
    const host = await loadJson("mqttHost")
    if (typeof boardId !== "string" || typeof keyHex !== "string" || keyHex.length !== 64 || typeof host !== "string") {
        console.log("cloud: not provisioned (boardId, boardKey, mqttHost): running locally")
        return null
    }
    const port = await loadJson("mqttPort")
    const proto = await loadJson("mqttProto")
    const user = await loadJson("mqttUser")
    const pass = await loadJson("mqttPass")
    const cloud = new CloudLink(sup, {
        host: host,
        port: typeof port === "number" ? port : 8883,
        proto: proto === "tcp" ? "tcp" : "tls",
        username: typeof user === "string" ? user : undefined,
        password: typeof pass === "string" ? pass : undefined,
        boardId: boardId,
        keyHex: keyHex,
    })
    cloud.boardName = hw.name
    cloud.cals = hw.cals
    cloud.tickNow = hw.tickNow
    cloud.resumed = sup.liveCount()
    await cloud.start()
    return cloud
}
