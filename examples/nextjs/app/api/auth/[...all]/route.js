// Every Better Auth endpoint under /api/auth: sign-up/email, sign-in/email, sign-out,
// get-session, token, jwks, …
import { getAuth } from "../../../../lib/auth";

const handler = (request) => getAuth().handler(request);

export { handler as GET, handler as POST, handler as PATCH, handler as PUT, handler as DELETE };
