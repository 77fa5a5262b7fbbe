import { Message } from '../schemas/common.js';
import { route } from '../http/route.js';

/** app.py's read_root */
export const rootRoutes = () => [
  route({
    method: 'get',
    path: '/',
    tag: 'root',
    summary: 'Read Root',
    operationId: 'read_root',
    database: false,
    status: 200,
    response: Message,
    handler: () => ({ message: 'Olá Mundo!' }),
  }),
];
