import { createUserCommand } from '../../../create-user.js';

export default createUserCommand('admin');
