/** Strings of sign-in and the signed-in person's corner of the header (WEB.md's terms). */
export const zh = {
  'session.signIn': '登录',
  'session.signOut': '退出登录',
  'session.console': '工作台',
  'session.account': '我的账号',
  'session.menu': '{name} 的账号菜单',
  'session.heading': '登录',
  'session.lead': '政府部门工作人员和开发者在此登录。开放数据无需登录即可查询和下载。',
  'session.login': '账号或邮箱',
  'session.password': '密码',
  'session.submit': '登录',
  'session.required': '请填写{field}',
  'session.signedInAs': '已登录：{name}',
} as const;

export const en: Record<keyof typeof zh, string> = {
  'session.signIn': 'Sign in',
  'session.signOut': 'Sign out',
  'session.console': 'Console',
  'session.account': 'My account',
  'session.menu': 'Account menu of {name}',
  'session.heading': 'Sign in',
  'session.lead': 'Government staff and developers sign in here. Open data can be searched and downloaded without signing in.',
  'session.login': 'Login or e-mail',
  'session.password': 'Password',
  'session.submit': 'Sign in',
  'session.required': 'Enter your {field}',
  'session.signedInAs': 'Signed in as {name}',
};
